import { LinkSignIn } from "@/components/auth/link-sign-in";

export const metadata = { title: "Sign in with a link" };

export default function LinkSignInPage() {
  return <LinkSignIn />;
}
