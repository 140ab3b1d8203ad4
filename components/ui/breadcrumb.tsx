import Link from "next/link";

/** "Parent / Current" trail above a page heading. */
export function Breadcrumb({ parent, current }: { parent: { href: string; label: string }; current: string }) {
  return (
    <nav aria-label="Breadcrumb" className="text-sm text-muted-fg">
      <Link href={parent.href} className="underline-offset-2 hover:underline">
        {parent.label}
      </Link>{" "}
      / <span aria-current="page">{current}</span>
    </nav>
  );
}
