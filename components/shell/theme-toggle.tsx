"use client";
import { useEffect, useState } from "react";

const NEXT = { system: "light", light: "dark", dark: "system" } as const;
type Theme = keyof typeof NEXT;

/** Cycles system → light → dark; stored in a cookie so the server renders the right theme first time. */
export function ThemeToggle({ initial }: { initial: Theme }) {
  const [theme, setTheme] = useState<Theme>(initial);
  useEffect(() => {
    const root = document.documentElement;
    root.classList.toggle("dark", theme === "dark");
    root.classList.toggle("light", theme === "light");
    document.cookie = `theme=${theme}; path=/; max-age=31536000; samesite=lax`;
  }, [theme]);
  return (
    <button
      type="button"
      onClick={() => setTheme(NEXT[theme])}
      className="rounded-md border border-border px-2 py-1 text-xs hover:bg-muted"
      aria-label={`Theme: ${theme}. Switch to ${NEXT[theme]}`}
    >
      Theme: {theme}
    </button>
  );
}
