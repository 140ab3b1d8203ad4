"use client";
import Link from "next/link";
import { useState, type FormEvent } from "react";
import { apiFetch, ApiProblem, type FieldErrors } from "@/lib/api/client-fetch";
import { Button } from "../ui/button";
import { Input, Select } from "../ui/input";

export function RegisterForm() {
  const [errors, setErrors] = useState<FieldErrors>({});
  const [busy, setBusy] = useState(false);
  async function submit(e: FormEvent<HTMLFormElement>) {
    e.preventDefault();
    const f = new FormData(e.currentTarget);
    setBusy(true);
    try {
      await apiFetch("/register", { method: "POST", body: { email: f.get("email"), name: f.get("name"), password: f.get("password"), role: f.get("role") } });
      window.location.assign("/login?registered=1");
    } catch (err) {
      setErrors(err instanceof ApiProblem ? { ...err.fields, form: err.message } : { form: String(err) });
    } finally {
      setBusy(false);
    }
  }
  return (
    <form onSubmit={submit} className="flex flex-col gap-4" noValidate>
      <h1 className="text-lg font-semibold">Create an account</h1>
      <Input label="Name" name="name" autoComplete="name" required error={errors.name} />
      <Input label="Email" name="email" type="email" autoComplete="email" required error={errors.email} />
      <Input label="Password" name="password" type="password" autoComplete="new-password" required error={errors.password} hint="At least 10 characters" />
      <Select label="I am a" name="role" defaultValue="CLINICIAN" error={errors.role}>
        <option value="CLINICIAN">Clinician (download released models)</option>
        <option value="RESEARCHER">Researcher (train models; an admin confirms)</option>
      </Select>
      {errors.form && <p role="alert" className="text-sm text-danger">{errors.form}</p>}
      <Button type="submit" disabled={busy}>Register</Button>
      <p className="text-sm text-muted-fg">
        Have an account? <Link href="/login" className="underline">Sign in</Link>
      </p>
    </form>
  );
}
