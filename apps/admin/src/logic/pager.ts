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

/** The pager in the URL (`pages=`): the tokens of the pages seen so far, the last one current. */
export function pagerToParam(state: PagerState): string | undefined {
  const tokens = state.tokens.slice(1, state.page + 1);
  return tokens.length > 0 ? tokens.join(".") : undefined;
}

export function pagerFromParam(param: string | null): PagerState {
  if (!param) return firstPage;
  const tokens = param.split(".").filter((t) => /^[A-Za-z0-9_-]+$/.test(t));
  return { tokens: [undefined, ...tokens], page: tokens.length };
}
