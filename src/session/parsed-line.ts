/** One input line as both protocols' parsers hand it to the dispatcher: a command, or why it is not one. */
export type ParsedLine =
  | {
      readonly kind: 'command';
      /** Upper-cased. */
      readonly verb: string;
      /** Space-separated words after the verb. */
      readonly args: readonly string[];
      /**
       * Everything after the verb and one space, verbatim, for a grammar where that is more than the words
       * (POP3's PASS); without it, the words joined by single spaces.
       */
      readonly rest?: string;
    }
  | { readonly kind: 'invalid'; readonly reason: string };
