// A model card as people read it: the YAML front matter (what the Hub reads: license, datasets, …) as its own
// block, the Markdown rendered (GitHub tables included). react-markdown builds React elements and drops raw HTML,
// so a card can't inject markup or scripts; links keep only safe protocols.
import ReactMarkdown, { type Components } from "react-markdown";
import remarkGfm from "remark-gfm";

/** The front matter between the leading `---` lines, and the rest. */
export function splitFrontMatter(card: string): { meta: string | null; body: string } {
  const m = /^---\r?\n([\s\S]*?)\r?\n---\r?\n?/.exec(card);
  return m ? { meta: m[1], body: card.slice(m[0].length) } : { meta: null, body: card };
}

const components: Components = {
  h1: ({ children }) => <h3 className="mt-4 text-lg font-semibold first:mt-0">{children}</h3>,
  h2: ({ children }) => <h4 className="mt-4 font-semibold">{children}</h4>,
  h3: ({ children }) => <h5 className="mt-3 font-medium">{children}</h5>,
  p: ({ children }) => <p className="my-2">{children}</p>,
  ul: ({ children }) => <ul className="my-2 list-disc pl-6">{children}</ul>,
  ol: ({ children }) => <ol className="my-2 list-decimal pl-6">{children}</ol>,
  a: ({ children, href }) => <a className="underline" href={href} rel="noopener noreferrer nofollow">{children}</a>,
  code: ({ children }) => <code className="break-all rounded bg-muted px-1 font-mono text-xs">{children}</code>,
  pre: ({ children }) => <pre className="my-2 overflow-x-auto rounded bg-muted p-2 text-xs">{children}</pre>,
  table: ({ children }) => <div className="my-2 overflow-x-auto"><table className="text-sm">{children}</table></div>,
  th: ({ children }) => <th className="border border-border px-2 py-1 text-left">{children}</th>,
  td: ({ children }) => <td className="border border-border px-2 py-1">{children}</td>,
};

export function ModelCardView({ card, label = "Model card" }: { card: string; label?: string }) {
  const { meta, body } = splitFrontMatter(card);
  return (
    <div aria-label={label} className="text-sm">
      {meta !== null && (
        <details className="mb-3 rounded border border-border">
          <summary className="cursor-pointer px-2 py-1 text-xs font-medium">Metadata (YAML front matter)</summary>
          <pre className="overflow-x-auto p-2 text-xs">{meta}</pre>
        </details>
      )}
      {body.trim() ? <ReactMarkdown remarkPlugins={[remarkGfm]} components={components}>{body}</ReactMarkdown> : <p className="text-muted-fg">This card is empty.</p>}
    </div>
  );
}
