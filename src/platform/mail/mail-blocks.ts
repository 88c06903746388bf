/**
 * A mail's content as data: one list of blocks that `renderMail` turns into both the HTML part and the
 * plain-text part, so the two always carry the same facts.
 */
export type MailBlock =
  | { type: 'heading'; text: string }
  | { type: 'paragraph'; text: string }
  /** label–value pairs: order number, date, amount */
  | { type: 'facts'; rows: [label: string, value: string][] }
  /** bought or refunded lines and the totals under them (the row with `strong` is the one paid) */
  | { type: 'items'; rows: MailItemRow[]; totals: { label: string; value: string; strong?: boolean }[] }
  | { type: 'button'; label: string; href: string }
  /** license keys, each on its own line, set in a monospace face and wrapped anywhere */
  | { type: 'codes'; title: string; codes: { label: string; value: string }[] }
  | { type: 'note'; text: string };

export interface MailItemRow {
  name: string;
  /** e.g. the SKU or "2 of 3 units" */
  detail?: string;
  quantity: number;
  amount: string;
}

/** What the owner chooses about every mail's look (from configuration). */
export interface MailLook {
  shopName: string;
  publicUrl: string;
  /** `#rrggbb`: the header band and buttons */
  accentColor: string;
  /** `#rrggbb`: around the 600 px card */
  backgroundColor: string;
  /** lines under every mail; empty: the shop's name and address */
  footer: string[];
}

/** A mail ready for the outbox. */
export interface RenderedMail {
  recipient: string;
  subject: string;
  textBody: string;
  htmlBody: string;
}

const rule = (text: string, char: string) => char.repeat(Math.min(60, Math.max(3, [...text].length)));

/** The plain-text part: the same blocks, laid out for a monospace reader. */
export function renderText(blocks: MailBlock[], look: MailLook): string {
  const out: string[] = [look.shopName, rule(look.shopName, '='), ''];
  for (const b of blocks) {
    switch (b.type) {
      case 'heading':
        out.push(b.text, rule(b.text, '-'));
        break;
      case 'paragraph':
      case 'note':
        out.push(b.text);
        break;
      case 'facts': {
        const width = Math.max(...b.rows.map(([label]) => label.length)) + 1;
        out.push(...b.rows.map(([label, value]) => `${`${label}:`.padEnd(width)} ${value}`));
        break;
      }
      case 'items':
        for (const r of b.rows) out.push(`${r.quantity} × ${r.name}${r.detail ? ` (${r.detail})` : ''}  ${r.amount}`);
        out.push(...b.totals.map((t) => `${t.label}: ${t.value}`));
        break;
      case 'button':
        out.push(`${b.label}:`, b.href);
        break;
      case 'codes':
        out.push(`${b.title}:`, ...b.codes.flatMap((c) => [`${c.label}:`, `  ${c.value}`]));
        break;
    }
    out.push('');
  }
  out.push('--', ...footerLines(look), '');
  return out.join('\n');
}

/** The owner's footer, or the shop's name and address when none is configured. */
export function footerLines(look: MailLook): string[] {
  return look.footer.length > 0 ? look.footer : [`${look.shopName} · ${look.publicUrl}`];
}

/** Dark or white text, whichever reads better on the accent colour (WCAG relative luminance). */
export function textOn(hex: string): string {
  const channel = (i: number) => {
    const c = parseInt(hex.slice(i, i + 2), 16) / 255;
    return c <= 0.04045 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
  };
  const luminance = 0.2126 * channel(1) + 0.7152 * channel(3) + 0.0722 * channel(5);
  // Contrast against white is 1.05 / (L + 0.05), against #1f2328 (L ≈ 0.017) (L + 0.05) / 0.067.
  return 1.05 / (luminance + 0.05) >= (luminance + 0.05) / 0.067 ? '#ffffff' : '#1f2328';
}

/** The settings every mail is drawn with, as configuration holds them. */
export interface MailSettings {
  shopName: string;
  publicUrl: string;
  mail: { accentColor: string; backgroundColor: string; footer: string[]; includeKeys: boolean };
}

/** The look of the mails from configuration. */
export function mailLook({ shopName, publicUrl, mail }: MailSettings): MailLook {
  return { shopName, publicUrl, accentColor: mail.accentColor, backgroundColor: mail.backgroundColor, footer: mail.footer };
}
