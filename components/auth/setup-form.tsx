"use client";
import { useState, type FormEvent } from "react";
import { apiFetch, ApiProblem, type FieldErrors } from "@/lib/api/client-fetch";
import { Button } from "../ui/button";
import { Input } from "../ui/input";

export function SetupForm({ token }: { token: string }) {
  const [errors, setErrors] = useState<FieldErrors>({});
  async function submit(e: FormEvent<HTMLFormElement>) {
    e.preventDefault();
    const f = new FormData(e.currentTarget);
    try {
      await apiFetch("/setup", { method: "POST", body: { token, email: f.get("email"), name: f.get("name"), password: f.get("password") } });
      window.location.assign("/login?registered=1");
    } catch (err) {
      setErrors(err instanceof ApiProblem ? { ...err.fields, form: err.message } : { form: String(err) });
    }
  }
  return (
    <form onSubmit={submit} className="flex flex-col gap-4" noValidate>
      <h1 className="text-lg font-semibold">Create the first administrator</h1>
      <Input label="Name" name="name" required error={errors.name} />
      <Input label="Email" name="email" type="email" required error={errors.email} />
      <Input label="Password" name="password" type="password" autoComplete="new-password" required error={errors.password} hint="At least 10 characters" />
      {(errors.form || errors.token) && <p role="alert" className="text-sm text-danger">{errors.form ?? errors.token}</p>}
      <Button type="submit">Create administrator</Button>
    </form>
  );
}
