import { strict as assert } from "node:assert";
import { DRIFT_MARKER } from "../../../automation/report/drift";
import { html } from "../../../automation/report/html";
import { mdCode, mdText } from "../../../automation/report/markdown";
import { PREVIEW_MARKER } from "../../../automation/report/preview";
import { terminalLine, terminalText } from "../../../automation/report/terminal";
import { changeOf, ESCAPING_ONLY, Format, Hostile, RENDERERS } from "./hostile";

/** [what, the hostile string, what must not be in the output, per format]. */
const HOSTILE: Array<[string, string, Partial<Record<Format, RegExp>>]> = [
  ["a lone carriage return", "api\rFAKE: all checks passed", { markdown: /\r/, text: /\r/, html: /\r/ }],
  ["an HTML comment opener", "x<!-- the rest is hidden", { markdown: /<!--/, html: /<!--/ }],
  ["an @mention", "ping @acme/platform-team now", { markdown: /@acme/ }],
  ["a bare URL", "see https://evil.example/phish", { markdown: /https:\/\/evil\.example/ }],
  ["a www. autolink", "see www.evil.example", { markdown: /www\.evil/ }],
  ["a Markdown link", "[click](https://evil.example)", { markdown: /\[click\]\(/ }],
  ["backticks", "a`rm -rf /`b", { markdown: /`rm -rf \/`/ }],
  ["a pipe", "left|right", { markdown: /left\|right/ }],
  ["an HTML tag", '<img src=x onerror="alert(1)">', { markdown: /<img/, html: /<img/ }],
  [
    "a newline starting a heading",
    "api\n## Approved by security",
    { markdown: /\n## Approved/, text: /\n## Approved/ },
  ],
  ["an ESC sequence", "\x1b[31mRED\x1b[0m\x1b]8;;https://evil\x07", { markdown: /\x1b/, text: /\x1b/, html: /\x1b/ }],
  ["a C1 control", "a\x9b31mb\x85c", { markdown: /[\x80-\x9f]/, text: /[\x80-\x9f]/, html: /[\x80-\x9f]/ }],
  [
    "a bidi override",
    "abc\u202etxt.exe\u2066x\u2069",
    { markdown: /[\u202e\u2066\u2069]/, text: /[\u202e\u2066\u2069]/, html: /[\u202e\u2066\u2069]/ },
  ],
  ["bell and backspace", "ok\x07\x08\x08FAIL", { markdown: /[\x07\x08]/, text: /[\x07\x08]/, html: /[\x07\x08]/ }],
];

/** The hostile string as a resource name, URN, property path, value, message, verdict, gate and hook name. */
function everywhere(s: string): Hostile {
  const change = changeOf({ [`spec.${s}`]: { old: s, new: `${s}!` } }, s, `urn:pulumi:dev::slipway::k8s:Thing::${s}`);
  return { change, echo: s, name: s };
}

const withoutMarkers = (out: string) => out.replace(PREVIEW_MARKER, "").replace(DRIFT_MARKER, "");

describe("#hostile-input: every rendered string is escaped for its format", () => {
  for (const [renderer, format, render] of [...RENDERERS, ...ESCAPING_ONLY]) {
    describe(`the ${renderer}`, () => {
      for (const [what, s, forbidden] of HOSTILE) {
        const bad = forbidden[format];
        if (bad === undefined) continue;
        it(`neutralises ${what}`, () => {
          const out = withoutMarkers(render(everywhere(s)));
          assert.doesNotMatch(out, bad, `${renderer}:\n${out}`);
        });
      }
    });
  }
});

describe("#hostile-input: the escaping modules", () => {
  it("shows terminal control and bidi characters as visible escapes", () => {
    assert.equal(terminalText("a\x1b[2Jb"), "a\\x1b[2Jb");
    assert.equal(terminalText("x\u202ey"), "x\\u202ey");
    assert.equal(terminalText("line\nnext\tcol"), "line\nnext\tcol");
    assert.equal(terminalText("over\rwrite"), "over\\x0dwrite");
    assert.equal(terminalLine("a\nb\tc"), "a\\x0ab c");
    assert.equal(terminalText("\x9b\x7f"), "\\x9b\\x7f");
  });

  it("escapes Markdown prose: metacharacters, HTML, mentions, autolinks and line breaks", () => {
    assert.equal(mdText("*a* _b_ `c` [d] |e| #f ~g~"), "\\*a\\* \\_b\\_ \\`c\\` \\[d\\] \\|e\\| \\#f \\~g\\~");
    assert.equal(mdText("<!-- x --> & y"), "&lt;!-- x --&gt; &amp; y");
    assert.equal(mdText("@team"), "@\u200dteam");
    assert.equal(mdText("https://x.example"), "https:\u200b//x.example");
    assert.equal(mdText("www.x.example"), "www\u200b.x.example");
    assert.equal(mdText("a\r\nb\rc\nd"), "a b c d");
  });

  it("keeps the secret mask readable in prose without letting it pair into a link", () => {
    assert.equal(mdText("key [secret] leaked"), "key [secret] leaked");
    assert.equal(mdText("[secret](https://evil)"), "[secret]\\(https:\u200b//evil)");
    assert.equal(mdText("[secret]: https://evil"), "[secret]\\: https:\u200b//evil");
  });

  it("keeps inline code on one line and inside its span", () => {
    assert.equal(mdCode("a`b|c\nd"), "`a'b\\|c d`");
    assert.equal(mdCode("@x https://y"), "`@\u200dx https:\u200b//y`");
  });

  it("entity-escapes HTML text and attributes", () => {
    assert.equal(html(`<a href="x" title='y'>&</a>`), "&lt;a href=&quot;x&quot; title=&#39;y&#39;&gt;&amp;&lt;/a&gt;");
    assert.equal(html("\x1b[1m"), "\\x1b[1m");
  });
});
