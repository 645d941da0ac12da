// Types for the two untyped language packages the search analysis uses.

declare module 'snowball-stemmers' {
  interface Stemmer {
    stem(word: string): string;
  }
  const snowball: {
    newStemmer(algorithm: string): Stemmer;
    algorithms(): string[];
  };
  export default snowball;
}

declare module 'stopword' {
  /** Stop-word lists by ISO 639-3 code (`ita`, `eng`, …). */
  const lists: Record<string, string[]>;
  export default lists;
}
