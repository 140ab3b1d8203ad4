"use client";
import Link from "next/link";
import { usePathname } from "next/navigation";
import { cn } from "../ui/cn";

export function NavLinks({ items }: { items: { href: string; label: string }[] }) {
  const path = usePathname();
  return (
    <ul className="flex flex-wrap gap-1 md:flex-col">
      {items.map((i) => {
        const active = path === i.href || path.startsWith(`${i.href}/`);
        return (
          <li key={i.href}>
            <Link
              href={i.href}
              aria-current={active ? "page" : undefined}
              className={cn("block rounded-md px-3 py-2 text-sm hover:bg-muted", active && "bg-muted font-semibold")}
            >
              {i.label}
            </Link>
          </li>
        );
      })}
    </ul>
  );
}
