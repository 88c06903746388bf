import { Type, type Static } from '@fastify/type-provider-typebox';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { AuditActor } from '../audit/audit.service.js';
import { AppError } from '../platform/errors.js';
import { AdminFilesPage, type FilesPageState } from './admin-files.view.js';
import { AdminKeysPage, type KeysPageState } from './admin-keys.view.js';
import type { AdminStockService, UploadedFile } from './admin-stock.service.js';

/** The largest key file or pasted text (a million short keys; keys are parsed in memory). */
export const KEY_TEXT_MAX_BYTES = 32 * 1024 * 1024;

const SkuParams = Type.Object({ sku: Type.String({ maxLength: 100 }) });
const FileParams = Type.Object({ sku: Type.String({ maxLength: 100 }), id: Type.String({ pattern: '^[0-9]{1,12}$' }) });
const KeysQuery = Type.Object({
  imported: Type.Optional(Type.String({ pattern: '^[0-9]{1,9}$' })),
  delivered: Type.Optional(Type.String({ pattern: '^[0-9]{1,9}$' })),
  saved: Type.Optional(Type.String({ maxLength: 5 })),
});
const FilesQuery = Type.Object({
  done: Type.Optional(Type.Union([Type.Literal('uploaded'), Type.Literal('replaced'), Type.Literal('removed')])),
});
const ThresholdBody = Type.Object({ threshold: Type.Optional(Type.String({ maxLength: 40 })) });

const privatePage = (reply: FastifyReply) => reply.header('cache-control', 'private, no-store');
const actorOf = (request: FastifyRequest): AuditActor => ({ sub: request.user!.sub, email: request.user!.email });
const skuOf = (request: FastifyRequest) => (request.params as Static<typeof SkuParams>).sku;
const pathOf = (sku: string, page: 'keys' | 'files') => `/admin/products/${encodeURIComponent(sku)}/${page}`;
const tooLarge = (err: unknown) => err instanceof Error && (err as { code?: string }).code === 'FST_REQ_FILE_TOO_LARGE';

/** The keys form: pasted text and/or an uploaded .txt file, read from the multipart stream (or a plain form post). */
async function readKeyForm(
  request: FastifyRequest,
): Promise<{ pasted: string; file: string | null } | { refused: string; status: number }> {
  if (!request.isMultipart()) {
    const keys = (request.body as { keys?: unknown } | undefined)?.keys;
    return { pasted: typeof keys === 'string' ? keys : '', file: null };
  }
  let pasted = '';
  let file: string | null = null;
  try {
    for await (const part of request.parts({ limits: { fileSize: KEY_TEXT_MAX_BYTES, fieldSize: KEY_TEXT_MAX_BYTES } })) {
      if (part.type === 'file') {
        const bytes = await part.toBuffer();
        if (part.filename !== '' || bytes.length > 0) file = bytes.toString('utf8');
      } else if (part.fieldname === 'keys') {
        if (part.valueTruncated) throw Object.assign(new Error('too large'), { code: 'FST_REQ_FILE_TOO_LARGE' });
        pasted = String(part.value);
      }
    }
  } catch (err) {
    if (!tooLarge(err)) throw err;
    return { refused: `Keys are limited to ${KEY_TEXT_MAX_BYTES / 1024 / 1024} MiB per import; split the file.`, status: 413 };
  }
  return { pasted, file };
}

/** The text to import, or why the form cannot be imported as given. */
function keysToImport(form: { pasted: string; file: string | null }): { text: string; source: 'file' | 'pasted text' } | string {
  const hasPaste = form.pasted.trim() !== '';
  if (hasPaste && form.file !== null) return 'Paste keys or choose a file, not both.';
  if (form.file !== null) return { text: form.file, source: 'file' };
  if (hasPaste) return { text: form.pasted, source: 'pasted text' };
  return 'Paste keys, one per line, or choose a .txt file.';
}

/** The uploaded file of a files form (the browser's name without any folder), or null when none was chosen. */
async function readUpload(request: FastifyRequest, maxBytes: number): Promise<UploadedFile | null> {
  if (!request.isMultipart()) return null;
  // One byte over the limit: the spool sees it and refuses the whole file (file_too_large, 413).
  const part = await request.file({ limits: { fileSize: maxBytes + 1 }, throwFileSizeLimit: false });
  if (!part || part.filename === '') {
    part?.file.resume();
    return null;
  }
  return { filename: part.filename.split(/[/\\]/).pop()!, contentType: part.mimetype || 'application/octet-stream', stream: part.file };
}

/** The owner's key pool and product file pages; registered inside adminRoutes, behind its owner guard. */
export function adminStockRoutes(app: FastifyInstance, stock: AdminStockService) {
  const keysPage = async (request: FastifyRequest, reply: FastifyReply, state: KeysPageState = {}, status = 200) => {
    const page = await stock.getKeysPage(skuOf(request));
    return privatePage(reply).render(<AdminKeysPage ctx={await request.viewContext(reply)} page={page} state={state} />, status);
  };
  const filesPage = async (request: FastifyRequest, reply: FastifyReply, state: FilesPageState = {}, status = 200) => {
    const page = await stock.getFilesPage(skuOf(request));
    return privatePage(reply).render(<AdminFilesPage ctx={await request.viewContext(reply)} page={page} state={state} />, status);
  };
  /** Runs a file change; a refusal the owner can act on (too large, bad name, last file) is shown beside its form. */
  const fileChange = async (request: FastifyRequest, reply: FastifyReply, target: 'new' | number, change: () => Promise<string>) => {
    try {
      return reply.redirect(`${pathOf(skuOf(request), 'files')}?done=${await change()}`, 303);
    } catch (err) {
      if (!(err instanceof AppError) || err.status >= 500 || err.status === 404) throw err;
      return filesPage(request, reply, { error: { target, message: err.message } }, err.status);
    }
  };
  const noFile = () => new AppError('no_file', 'Choose a file to upload.', 400);

  app.get('/admin/products/:sku/keys', { schema: { params: SkuParams, querystring: KeysQuery } }, async (request, reply) => {
    const q = request.query as Static<typeof KeysQuery>;
    const state = { imported: q.imported ? Number(q.imported) : null, delivered: q.delivered ? Number(q.delivered) : null };
    return keysPage(request, reply, { ...state, thresholdSaved: q.saved === '1' });
  });

  app.post('/admin/products/:sku/keys', { schema: { params: SkuParams } }, async (request, reply) => {
    const form = await readKeyForm(request);
    const given = 'refused' in form ? form.refused : keysToImport(form);
    const pasted = 'refused' in form ? '' : form.pasted;
    if (typeof given === 'string')
      return keysPage(request, reply, { importError: { message: given, lines: [], pasted } }, 'status' in form ? form.status : 400);
    const r = await stock.importKeys(actorOf(request), skuOf(request), given.text, given.source);
    if (!r.ok) return keysPage(request, reply, { importError: { message: r.message, lines: r.lines, pasted } }, 400);
    return reply.redirect(
      `${pathOf(skuOf(request), 'keys')}?imported=${r.added}${r.delivered.length ? `&delivered=${r.delivered.length}` : ''}`,
      303,
    );
  });

  app.post('/admin/products/:sku/keys/threshold', { schema: { params: SkuParams, body: ThresholdBody } }, async (request, reply) => {
    const value = (request.body as Static<typeof ThresholdBody>).threshold ?? '';
    const r = await stock.setThreshold(actorOf(request), skuOf(request), value);
    if (!r.ok) return keysPage(request, reply, { threshold: { value, error: r.error } }, 400);
    return reply.redirect(`${pathOf(skuOf(request), 'keys')}?saved=1`, 303);
  });

  app.get('/admin/products/:sku/files', { schema: { params: SkuParams, querystring: FilesQuery } }, async (request, reply) =>
    filesPage(request, reply, { done: (request.query as Static<typeof FilesQuery>).done ?? null }),
  );

  app.post('/admin/products/:sku/files', { schema: { params: SkuParams } }, async (request, reply) =>
    fileChange(request, reply, 'new', async () => {
      const upload = await readUpload(request, stock.maxUploadBytes);
      if (!upload) throw noFile();
      return (await stock.uploadFile(actorOf(request), skuOf(request), upload), 'uploaded');
    }),
  );

  app.post('/admin/products/:sku/files/:id/replace', { schema: { params: FileParams } }, async (request, reply) => {
    const id = Number((request.params as Static<typeof FileParams>).id);
    return fileChange(request, reply, id, async () => {
      const upload = await readUpload(request, stock.maxUploadBytes);
      if (!upload) throw noFile();
      return (await stock.replaceFile(actorOf(request), skuOf(request), id, upload), 'replaced');
    });
  });

  app.post('/admin/products/:sku/files/:id/remove', { schema: { params: FileParams } }, async (request, reply) => {
    const id = Number((request.params as Static<typeof FileParams>).id);
    return fileChange(request, reply, id, async () => (await stock.removeFile(actorOf(request), skuOf(request), id), 'removed'));
  });
}
