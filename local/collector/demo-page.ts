/** The page `clicklogger serve` shows at `/`: the blog's four components, tracked, to click and watch. */
import { COLLECTOR_ROUTE } from '../../core/collector';

const COMPONENTS = [
  ['login', 'Log in'],
  ['products', 'Browse products'],
  ['checkout', 'Check out'],
  ['submitorder', 'Submit the order'],
] as const;

export function demoPage(origin: string): string {
  const buttons = COMPONENTS.map(
    ([component, label]) => `    <button data-clicklogger-component="${component}">${label}</button>`,
  ).join('\n');
  return `<!doctype html>
<html lang="en" data-clicklogger-page="demo">
  <head>
    <meta charset="utf-8" />
    <title>clicklogger demo</title>
    <style>
      body { font: 16px system-ui, sans-serif; max-width: 40rem; margin: 3rem auto; padding: 0 1rem; }
      button { font: inherit; margin: 0.25rem; padding: 0.5rem 1rem; }
      code { background: #f3f3f3; padding: 0.1rem 0.3rem; }
    </style>
    <script src="${origin}/clicklogger.min.js" data-endpoint="${origin}${COLLECTOR_ROUTE.path}" data-callerid="OrderingApplication" defer></script>
  </head>
  <body>
    <h1>clicklogger demo</h1>
    <p>Each button is tracked: the terminal running <code>clicklogger serve</code> shows the batches as they arrive
    (at most 20 clicks, or every 2 s). Stop it with Ctrl-C for the day's report.</p>
${buttons}
  </body>
</html>
`;
}
