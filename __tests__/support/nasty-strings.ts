/**
 * Values a client may send as a component or caller: markup, quotes, separators, line breaks,
 * right-to-left text and emoji. The markdown and HTML escaping tests both use them.
 */
export const NASTY_STRINGS = [
  '<script>alert("x")</script>',
  `it's "quoted" & <b>bold</b>`,
  'a|b',
  'a\\b',
  '\\|',
  'one\ntwo',
  'one\r\ntwo',
  'tab\tstays',
  'עברית\u202Eevil',
  '\u202Bمرحبا',
  '日本 🛒',
  '👩‍👩‍👧 family',
  '</svg><img src=x onerror=alert(1)>',
  '&amp; already escaped',
] as const;
