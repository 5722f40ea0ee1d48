// The markup of each kind of widget. Apart from the widgets themselves, so the first load
// can tell a slide that has some without loading them.
export const WIDGET_SELECTORS = {
  terminal: '.live-terminal',
  meters: '.live-meters',
  figure: '.run-figure[data-ratio]',
  chat: '.ws-chat-client',
} as const;

/** Matches any widget's element. */
export const WIDGET_MARKUP = Object.values(WIDGET_SELECTORS).join(', ');
