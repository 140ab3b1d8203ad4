"use client";

export default function GlobalError({ reset }: { error: Error; reset: () => void }) {
  return (
    <html lang="en">
      <body style={{ fontFamily: "system-ui", padding: 32 }}>
        <h1>Hounsfield could not load this page</h1>
        <p>The error was logged on the server.</p>
        <button type="button" onClick={reset}>Try again</button>
      </body>
    </html>
  );
}
