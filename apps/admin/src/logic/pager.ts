/**
 * Forward-only page tokens (the API's opaque `nextToken`) turned into Previous / Next: the app
 * remembers the token of every page it has seen, so going back re-asks for a known page.
 */
export interface PagerState {
  /** tokens[i] is what fetches page i; page 0 needs none. */
  tokens: (string | undefined)[];
  page: number;
}

export const firstPage: PagerState = { tokens: [undefined], page: 0 };

export function currentToken(state: PagerState): string | undefined {
  return state.tokens[state.page];
}

/** Moves on to the page after the current one, remembering the token that fetches it. */
export function nextPage(state: PagerState, nextToken: string | undefined): PagerState {
  if (!nextToken) return state;
  const tokens = state.tokens.slice(0, state.page + 1);
  tokens.push(nextToken);
  return { tokens, page: state.page + 1 };
}

export function previousPage(state: PagerState): PagerState {
  return state.page === 0 ? state : { ...state, page: state.page - 1 };
}

export function hasPrevious(state: PagerState): boolean {
  return state.page > 0;
}
