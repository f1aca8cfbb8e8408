/** The commands of the deploy guide's steps (docs/deploy.md, "Your first deploy"), in order. */
export function guideCommands(markdown: string): string[] {
  const start = markdown.indexOf('\n## Your first deploy');
  if (start < 0) throw new Error('docs/deploy.md has no "Your first deploy" section');
  const next = markdown.indexOf('\n## ', start + 1);
  const section = markdown.slice(start, next < 0 ? undefined : next);
  return [...section.matchAll(/^```sh\n([\s\S]*?)^```$/gm)].flatMap((block) =>
    block[1]
      .split('\n')
      .map((line) => line.replace(/\s+#.*$/, '').trim())
      .filter((line) => line !== ''),
  );
}
