"use client";
import { useEffect, useRef, useState } from "react";

/**
 * Width of an element and whether it is on screen. Charts fetch at their own pixel width, and only charts
 * that have been scrolled into view fetch at all: a run with 60 keys must not poll 60 endpoints.
 */
export function useElementSize<T extends HTMLElement>() {
  const ref = useRef<T>(null);
  const [width, setWidth] = useState(0);
  const [visible, setVisible] = useState(false);
  const [seen, setSeen] = useState(false);
  useEffect(() => {
    const el = ref.current;
    if (!el) return;
    const resize = new ResizeObserver(([entry]) => setWidth(Math.floor(entry.contentRect.width)));
    const view = new IntersectionObserver(
      ([entry]) => {
        setVisible(entry.isIntersecting);
        if (entry.isIntersecting) setSeen(true);
      },
      { rootMargin: "300px 0px" },
    );
    resize.observe(el);
    view.observe(el);
    return () => {
      resize.disconnect();
      view.disconnect();
    };
  }, []);
  return { ref, width, visible, seen };
}
