import { STATUS_CODES } from 'node:http';
import { parse } from 'node-html-parser';

/**
 * IIS error pages (docs/reference.md §4). The detailed page follows the structure of a real IIS 8.5/10
 * detailed error (title, h3 summary, h4 description, the Detailed Error Information tables, the
 * More Information link), every line ending in a space and CRLF as in the capture, with a
 * stylesheet of our own. The "Most likely causes" and "Things you can try" texts of ARR's pages,
 * and the More Information sentence, were never found in a source, so they are left out rather
 * than invented.
 */
export interface DetailedErrorInfo {
  iisVersion: string;
  status: number;
  substatus: number;
  /** The h4 line: for ARR, the WinHTTP message (no trailing period on 502.3, docs/reference.md §4.1). */
  description: string;
  module: string;
  notification: string;
  handler: string;
  /** HRESULT or other error code, rendered `0x%08x`. */
  errorCode: number;
  requestedUrl: string;
  physicalPath: string;
  logonMethod: string;
  logonUser: string;
  /** Windows build in the More Information link (IIS70Error=status,substatus,hresult,build). */
  osBuild: number;
  /** Shown when Failed Request Tracing is configured for the site. */
  frebDirectory?: string;
}

/** The response headers of a detailed error page as captured (docs/reference.md §4.2, CAP-404). */
export const ERROR_PAGE_HEADERS: Readonly<Record<string, string>> = {
  'Cache-Control': 'private',
  'Content-Type': 'text/html; charset=utf-8',
  // IIS's default applicationHost.config adds it to every response through httpProtocol/customHeaders.
  'X-Powered-By': 'ASP.NET',
};

/** Where the Failed Request Tracing row of the page points (the default `directory`, expanded; docs/reference.md §4.1, §7.1). */
export const FREB_DIRECTORY = 'C:\\inetpub\\logs\\FailedReqLogFiles';

/**
 * `system.webServer/httpErrors/@errorMode`: which clients see the detailed page. The default,
 * DetailedLocalOnly, gives it to local requests only; remote clients get the custom page
 * (docs/reference.md §4.2).
 */
export const ERROR_MODES = ['DetailedLocalOnly', 'Custom', 'Detailed'] as const;
export type ErrorMode = (typeof ERROR_MODES)[number];

export function showsDetailedError(mode: ErrorMode, local: boolean): boolean {
  return mode === 'Detailed' || (mode === 'DetailedLocalOnly' && local);
}

const CUSTOM_502_TITLE = '502 - Web server received an invalid response while acting as a gateway or proxy server.';

/**
 * IIS's custom 502 page (`custerr\<lang>\502.htm`) as captured (docs/reference.md §4.3, CAP-CUSTERR502),
 * the same for every 502 substatus, with a stylesheet of our own in place of its nine CSS lines.
 * Other statuses' custom pages are not in the reference: undefined, and the caller keeps the
 * detailed page.
 */
export function renderCustomError(status: number): string | undefined {
  if (status !== 502) return undefined;
  return [
    '<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Strict//EN" "http://www.w3.org/TR/xhtml1/DTD/xhtml1-strict.dtd">',
    '<html xmlns="http://www.w3.org/1999/xhtml">',
    '<head>',
    '<meta http-equiv="Content-Type" content="text/html; charset=iso-8859-1"/>',
    `<title>${CUSTOM_502_TITLE}</title>`,
    '<style type="text/css">',
    '<!--',
    'body{margin:0;font-size:.7em;font-family:Verdana, Arial, Helvetica, sans-serif;background:#EEEEEE;}',
    'fieldset{padding:0 15px 10px 15px;}',
    'h1{font-size:2.4em;margin:0;color:#FFF;}',
    'h2{font-size:1.7em;margin:0;color:#CC0000;}',
    'h3{font-size:1.2em;margin:10px 0 0 0;color:#000000;}',
    '#header{width:96%;margin:0 0 0 0;padding:6px 2% 6px 2%;font-family:"trebuchet MS", Verdana, sans-serif;color:#FFF;',
    'background-color:#555555;}',
    '#content{margin:0 0 0 2%;position:relative;}',
    '.content-container{background:#FFF;width:96%;margin-top:8px;padding:10px;position:relative;}',
    '-->',
    '</style>',
    '</head>',
    '<body>',
    '<div id="header"><h1>Server Error</h1></div>',
    '<div id="content">',
    ' <div class="content-container"><fieldset>',
    `  <h2>${CUSTOM_502_TITLE}</h2>`,
    '  <h3>There is a problem with the page you are looking for, and it cannot be displayed. When the Web server (while acting as a gateway or proxy) contacted the upstream content server, it received an invalid response from the content server.</h3>',
    ' </fieldset></div>',
    '</div>',
    '</body>',
    '</html>',
    '',
  ].join('\r\n');
}

export function reasonPhrase(status: number): string {
  return STATUS_CODES[status] ?? 'Unknown';
}

export function hex8(code: number): string {
  return `0x${(code >>> 0).toString(16).padStart(8, '0')}`;
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]!);
}

const STYLE = [`body{margin:0;font-size:.7em;font-family:Verdana,Arial,Helvetica,sans-serif;}
code{margin:0;color:#006600;font-size:1.1em;font-weight:bold;}
fieldset{padding:0 15px 10px 15px;word-break:break-all;}
h1{font-size:2.4em;margin:0;color:#FFF;}
h2{font-size:1.7em;margin:0;color:#CC0000;}
h3{font-size:1.4em;margin:10px 0 0 0;color:#CC0000;}
h4{font-size:1.2em;margin:10px 0 5px 0;}
#content{margin:0 0 0 2%;position:relative;}
.content-container{background:#FFF;width:96%;margin-top:8px;padding:10px;position:relative;}
#details-left{width:35%;float:left;margin-right:2%;}
#details-right{width:63%;float:left;overflow:hidden;}
table{width:100%;margin:0 0 10px 0;text-align:left;border-collapse:collapse;}
th{width:25%;vertical-align:top;}
th,td{padding:4px 10px;}
.clear{clear:both;}`].flatMap((css) => css.split('\n')).map((line) => `${line} `);

function row(label: string, value: string, alt: boolean): string {
  return `    <tr${alt ? ' class="alt"' : ''}><th>${label}</th><td>&nbsp;&nbsp;&nbsp;${escapeHtml(value)}</td></tr> \r\n`;
}

export function renderDetailedError(info: DetailedErrorInfo): string {
  const reason = reasonPhrase(info.status);
  const code = `${info.status}.${info.substatus}`;
  const hresult = hex8(info.errorCode);
  const left = [
    row('Module', info.module, true),
    row('Notification', info.notification, false),
    row('Handler', info.handler, true),
    row('Error Code', hresult, false),
  ].join('');
  const rightRows: [string, string][] = [
    ['Requested URL', info.requestedUrl],
    ['Physical Path', info.physicalPath],
    ['Logon Method', info.logonMethod],
    ['Logon User', info.logonUser],
  ];
  if (info.frebDirectory) rightRows.push(['Failed Request Tracing Log Directory', info.frebDirectory]);
  const right = rightRows.map(([k, v], i) => row(k, v, i % 2 === 0)).join('');
  const link = `http://go.microsoft.com/fwlink/?LinkID=62293&amp;IIS70Error=${info.status},${info.substatus},${hresult},${info.osBuild}`;
  return [
    '<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Strict//EN" "http://www.w3.org/TR/xhtml1/DTD/xhtml1-strict.dtd"> ',
    '<html xmlns="http://www.w3.org/1999/xhtml"> ',
    '<head> ',
    `<title>IIS ${info.iisVersion} Detailed Error - ${code} - ${reason}</title> `,
    '<style type="text/css"> ',
    '<!-- ',
    ...STYLE,
    '--> ',
    '</style> ',
    ' ',
    '</head> ',
    '<body> ',
    '<div id="content"> ',
    '<div class="content-container"> ',
    `  <h3>HTTP Error ${code} - ${reason}</h3> `,
    `  <h4>${escapeHtml(info.description)}</h4> `,
    '</div> ',
    ' ',
    '<div class="content-container"> ',
    ' <fieldset><h4>Detailed Error Information:</h4> ',
    '  <div id="details-left"> ',
    '   <table border="0" cellpadding="0" cellspacing="0"> ',
    left + '     ',
    '   </table> ',
    '  </div> ',
    '  <div id="details-right"> ',
    '   <table border="0" cellpadding="0" cellspacing="0"> ',
    right + '     ',
    '   </table> ',
    '   <div class="clear"></div> ',
    '  </div> ',
    ' </fieldset> ',
    '</div> ',
    ' ',
    '<div class="content-container"> ',
    ' <fieldset><h4>More Information:</h4> ',
    `  <p><a href="${link}">View more information &raquo;</a></p> `,
    '   ',
    ' </fieldset> ',
    '</div> ',
    '</div> ',
    '</body> ',
    '</html> ',
    '',
  ].join('\r\n');
}

/**
 * What a client can read back from a detailed error page: the lab's own client and tests use this
 * to see status.substatus and the error code exactly as a person reading the page would.
 */
export interface ParsedErrorPage {
  status: number;
  substatus: number;
  description: string;
  module?: string;
  notification?: string;
  handler?: string;
  errorCode?: string;
  requestedUrl?: string;
  frebDirectory?: string;
}

export function parseDetailedError(html: string): ParsedErrorPage | undefined {
  const doc = parse(html);
  const h3 = /^HTTP Error (\d{3})\.(\d+) - /.exec(doc.querySelector('h3')?.text.trim() ?? '');
  if (!h3) return undefined;
  const cells = new Map<string, string>();
  for (const tr of doc.querySelectorAll('tr')) {
    const th = tr.querySelector('th');
    const td = tr.querySelector('td');
    if (th && td) cells.set(th.text.trim(), td.text.replace(/\u00a0/g, ' ').trim());
  }
  return {
    status: Number(h3[1]),
    substatus: Number(h3[2]),
    description: doc.querySelector('h4')?.text.trim() ?? '',
    module: cells.get('Module'),
    notification: cells.get('Notification'),
    handler: cells.get('Handler'),
    errorCode: cells.get('Error Code'),
    requestedUrl: cells.get('Requested URL'),
    frebDirectory: cells.get('Failed Request Tracing Log Directory'),
  };
}
