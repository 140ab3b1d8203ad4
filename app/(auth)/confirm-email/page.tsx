import { ConfirmEmailForm } from "@/components/auth/confirm-email-form";

export const metadata = { title: "Confirm your email address" };

export default function ConfirmEmailPage() {
  return <ConfirmEmailForm />;
}
