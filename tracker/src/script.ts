/**
 * The script-tag entry: `<script src=".../clicklogger.min.js" data-endpoint="…/clicks"
 * data-callerid="OrderingApplication" defer>` starts the tracker, and `clicklogger.track()` and
 * `clicklogger.flush()` are on window.
 */
import { flush, start, track } from './clicklogger';

const script = document.currentScript as HTMLScriptElement | null;
const data = script?.dataset;
(window as unknown as { clicklogger: object }).clicklogger = { track, flush };
if (data?.endpoint && data.callerid)
  start({
    endpoint: data.endpoint,
    callerid: data.callerid,
    page:
      data.clickloggerPage || document.querySelector<HTMLElement>('[data-clicklogger-page]')?.dataset.clickloggerPage,
    user: data.user,
    gpc: data.gpc === 'nothing' ? 'nothing' : 'no-user',
  });
