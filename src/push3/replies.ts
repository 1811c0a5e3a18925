/** One reply line: whether it is positive (for the command event) and its text on the wire. */
export interface Reply {
  readonly ok: boolean;
  readonly line: string;
}

/** Whatever the text says, a reply stays one line. */
const oneLine = (text: string): string => text.replace(/[\r\n]+/g, ' ');

const reply = (ok: boolean, text: string): Reply => ({
  ok,
  line: `${ok ? '->SUCCESS:' : '->FAIL:'}${text ? ` ${oneLine(text)}` : ''}\r\n`,
});

export const success = (text = ''): Reply => reply(true, text);
export const fail = (text: string): Reply => reply(false, text);
