import type { CSSProperties } from 'preact';
import { renderDocument } from '../render.js';
import { footerLines, renderText, textOn, type MailBlock, type MailLook, type RenderedMail } from './mail-blocks.js';

// Mail clients drop <style> and external CSS: every rule is inline, the layout is tables, one column
// 600 px wide at most, which narrows to the screen on a phone.
type Css = CSSProperties;
const FONT = "-apple-system, 'Segoe UI', Roboto, Helvetica, Arial, sans-serif";
const TEXT = '#1f2328';
const MUTED = '#59636e';
const LINE = '#d8dee4';
const base: Css = { fontFamily: FONT, color: TEXT, fontSize: '16px', lineHeight: '1.5' };
const cell: Css = { ...base, padding: '8px 0', borderBottom: `1px solid ${LINE}`, verticalAlign: 'top' };
const num: Css = { ...cell, textAlign: 'right', whiteSpace: 'nowrap', paddingLeft: '12px' };

function Block({ block, look }: { block: MailBlock; look: MailLook }) {
  switch (block.type) {
    case 'heading':
      return <h1 style={{ ...base, fontSize: '22px', lineHeight: '1.3', margin: '0 0 16px' }}>{block.text}</h1>;
    case 'paragraph':
      return <p style={{ ...base, margin: '0 0 16px', whiteSpace: 'pre-line' }}>{block.text}</p>;
    case 'note':
      return <p style={{ ...base, color: MUTED, fontSize: '14px', margin: '0 0 16px' }}>{block.text}</p>;
    case 'facts':
      return (
        <table role="presentation" width="100%" style={{ borderCollapse: 'collapse', margin: '0 0 16px' }}>
          {block.rows.map(([label, value]) => (
            <tr>
              <td style={{ ...base, color: MUTED, padding: '2px 16px 2px 0', whiteSpace: 'nowrap', verticalAlign: 'top', width: '1%' }}>
                {label}
              </td>
              <td style={{ ...base, padding: '2px 0', wordBreak: 'break-word' }}>{value}</td>
            </tr>
          ))}
        </table>
      );
    case 'items':
      return (
        <table width="100%" style={{ borderCollapse: 'collapse', margin: '0 0 20px' }}>
          <tr>
            <th scope="col" style={{ ...cell, textAlign: 'left', color: MUTED, fontSize: '14px' }}>
              Item
            </th>
            <th scope="col" style={{ ...num, color: MUTED, fontSize: '14px' }}>
              Amount
            </th>
          </tr>
          {block.rows.map((r) => (
            <tr>
              <td style={{ ...cell, wordBreak: 'break-word' }}>
                {r.quantity} × {r.name}
                {r.detail && <span style={{ display: 'block', color: MUTED, fontSize: '14px' }}>{r.detail}</span>}
              </td>
              <td style={num}>{r.amount}</td>
            </tr>
          ))}
          {block.totals.map((t) => (
            <tr>
              <th scope="row" style={{ ...cell, textAlign: 'left', fontWeight: t.strong ? 700 : 400 }}>
                {t.label}
              </th>
              <td style={{ ...num, fontWeight: t.strong ? 700 : 400 }}>{t.value}</td>
            </tr>
          ))}
        </table>
      );
    case 'button':
      return (
        <p style={{ ...base, margin: '0 0 20px' }}>
          <a
            href={block.href}
            style={{
              ...base,
              display: 'inline-block',
              background: look.accentColor,
              color: textOn(look.accentColor),
              padding: '12px 20px',
              borderRadius: '6px',
              fontWeight: 600,
              textDecoration: 'none',
            }}
          >
            {block.label}
          </a>
          <span style={{ display: 'block', color: MUTED, fontSize: '13px', marginTop: '8px', wordBreak: 'break-all' }}>{block.href}</span>
        </p>
      );
    case 'codes':
      return (
        <div style={{ margin: '0 0 20px' }}>
          <p style={{ ...base, fontWeight: 600, margin: '0 0 8px' }}>{block.title}</p>
          {block.codes.map((c) => (
            <p style={{ ...base, margin: '0 0 8px' }}>
              <span style={{ display: 'block', color: MUTED, fontSize: '14px' }}>{c.label}</span>
              <code
                style={{
                  display: 'block',
                  fontFamily: 'ui-monospace, Menlo, Consolas, monospace',
                  fontSize: '14px',
                  background: '#f6f8fa',
                  border: `1px solid ${LINE}`,
                  borderRadius: '4px',
                  padding: '8px',
                  wordBreak: 'break-all',
                }}
              >
                {c.value}
              </code>
            </p>
          ))}
        </div>
      );
  }
}

/** The HTML part: the shop's header band, the blocks on a white card, the owner's footer. */
export function MailDocument({ subject, blocks, look }: { subject: string; blocks: MailBlock[]; look: MailLook }) {
  return (
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <meta name="color-scheme" content="light" />
        <title>{subject}</title>
      </head>
      <body style={{ margin: 0, padding: 0, background: look.backgroundColor }}>
        <table role="presentation" width="100%" style={{ borderCollapse: 'collapse', background: look.backgroundColor }}>
          <tr>
            <td align="center" style={{ padding: '24px 8px' }}>
              <table role="presentation" width="100%" style={{ maxWidth: '600px', borderCollapse: 'collapse', background: '#ffffff' }}>
                <tr>
                  <td
                    style={{
                      ...base,
                      background: look.accentColor,
                      color: textOn(look.accentColor),
                      padding: '16px 24px',
                      fontSize: '20px',
                      fontWeight: 700,
                    }}
                  >
                    {look.shopName}
                  </td>
                </tr>
                <tr>
                  <td style={{ padding: '24px' }}>
                    {blocks.map((block) => (
                      <Block block={block} look={look} />
                    ))}
                  </td>
                </tr>
              </table>
              <table role="presentation" width="100%" style={{ maxWidth: '600px', borderCollapse: 'collapse' }}>
                <tr>
                  <td style={{ ...base, color: MUTED, fontSize: '13px', padding: '16px 24px', textAlign: 'center' }}>
                    {footerLines(look).map((line) => (
                      <p style={{ margin: '0 0 4px' }}>{line}</p>
                    ))}
                  </td>
                </tr>
              </table>
            </td>
          </tr>
        </table>
      </body>
    </html>
  );
}

/** Both parts of a mail from one list of blocks; Preact escapes every value in the HTML. */
export function renderMail(recipient: string, subject: string, blocks: MailBlock[], look: MailLook): RenderedMail {
  return {
    recipient,
    subject,
    textBody: renderText(blocks, look),
    htmlBody: renderDocument(<MailDocument subject={subject} blocks={blocks} look={look} />),
  };
}
