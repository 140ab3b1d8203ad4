import { createElement } from "react";
import { renderToStaticMarkup } from "react-dom/server";
import { describe, expect, it } from "vitest";
import { ModelCardView, splitFrontMatter } from "@/components/releases/model-card-view";

const render = (card: string) => renderToStaticMarkup(createElement(ModelCardView, { card }));

describe("the rendered model card", () => {
  it("shows the front matter apart and renders the Markdown, tables included", () => {
    const html = render("---\nlicense: cc-by-4.0\n---\n# CT encoder\n\n| metric | value |\n|---|---|\n| loss | 0.1 |\n");
    expect(html).toContain("license: cc-by-4.0");
    expect(html).toMatch(/<h3[^>]*>CT encoder<\/h3>/);
    expect(html).toMatch(/<td[^>]*>loss<\/td>/);
    expect(splitFrontMatter("no front matter")).toEqual({ meta: null, body: "no front matter" });
  });

  it("never passes a card's HTML or script links through", () => {
    const html = render('<script>alert(1)</script>\n\n<img src=x onerror="alert(2)">\n\n[click](javascript:alert(3)) [ok](https://example.org)');
    expect(html).not.toMatch(/<script|<img|<[^>]*onerror|href="javascript:/i);
    expect(html).toContain("&lt;script&gt;"); // shown as text
    expect(html).toContain('href="https://example.org"');
  });
});
