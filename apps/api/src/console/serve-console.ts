import type { NestExpressApplication } from '@nestjs/platform-express';
import { existsSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import type { Response } from 'express';

/**
 * The console's bundle at `/`. Vite names every asset after its content hash, so an asset is
 * cached for a year and never revalidated; index.html names the current assets, so a browser
 * revalidates it on every load and picks a new release up at once. `/api`, `/docs`, `/health`
 * never reach here: no file of the bundle lives under those names.
 *
 * A root without index.html (the TypeScript build alone, a test that built no console) serves
 * nothing, and the API answers as it did without a console.
 */
export function serveConsole(app: NestExpressApplication, root: string): boolean {
  if (!existsSync(join(root, 'index.html'))) return false;
  app.useStaticAssets(root, {
    index: 'index.html',
    // No directory listings, no dotfiles, no redirects from `/assets` to `/assets/`.
    dotfiles: 'ignore',
    redirect: false,
    etag: true,
    lastModified: true,
    setHeaders: (res: Response, path: string) => {
      const hashed = basename(dirname(path)) === 'assets';
      res.setHeader('Cache-Control', hashed ? 'public, max-age=31536000, immutable' : 'no-cache');
    },
  });
  return true;
}
