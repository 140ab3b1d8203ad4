import { SetupForm } from "@/components/auth/setup-form";

export const metadata = { title: "Set up" };

export default async function SetupPage({ searchParams }: { searchParams: Promise<{ token?: string }> }) {
  const { token } = await searchParams;
  if (!token) return <p role="alert">This page needs the one-time link that the server printed when it started.</p>;
  return <SetupForm token={token} />;
}
