import { RegisterForm } from "@/components/auth/register-form";

export const metadata = { title: "Register" };

export default function RegisterPage() {
  return <RegisterForm />;
}
