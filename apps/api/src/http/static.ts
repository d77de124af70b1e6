import * as fs from 'node:fs';
import * as path from 'node:path';
import type { NestExpressApplication } from '@nestjs/platform-express';
import type { NextFunction, Request, Response } from 'express';

/** apps/api/public (the dashboard and the docs page), found from sources and from dist/ alike. */
export function publicDir(): string {
  let dir = __dirname;
  for (let i = 0; i < 8; i++) {
    const candidate = path.join(dir, 'apps', 'api', 'public');
    if (fs.existsSync(path.join(candidate, 'index.html'))) return candidate;
    dir = path.dirname(dir);
  }
  throw new Error(`apps/api/public not found above ${__dirname}`);
}

/** Pages run only their own scripts and styles and talk only to this origin; nothing frames them. */
const PAGE_CSP =
  "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; font-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

export function securityHeaders(_req: Request, res: Response, next: NextFunction): void {
  res.setHeader('X-Content-Type-Options', 'nosniff');
  res.setHeader('Referrer-Policy', 'no-referrer');
  res.setHeader('X-Frame-Options', 'DENY');
  next();
}

/**
 * The dashboard at /dashboard (its own routes: /dashboard/alerts/:id, /dashboard/what-if, all served
 * index.html), its files at /dashboard/assets, the OpenAPI page at /docs, and / → /dashboard/.
 */
export function serveDashboard(app: NestExpressApplication): void {
  const dir = publicDir();
  const page = (file: string) => (_req: Request, res: Response) => {
    res.setHeader('Content-Security-Policy', PAGE_CSP);
    res.setHeader('Cache-Control', 'no-cache');
    res.sendFile(path.join(dir, file));
  };
  app.useStaticAssets(path.join(dir, 'assets'), { prefix: '/dashboard/assets/', fallthrough: false, maxAge: 0 });
  app.use((req: Request, res: Response, next: NextFunction) => {
    if (req.method !== 'GET' && req.method !== 'HEAD') return next();
    if (req.path === '/') return res.redirect(302, '/dashboard/');
    if (req.path === '/docs' || req.path === '/docs/') return page('docs.html')(req, res);
    if (req.path === '/dashboard' || req.path.startsWith('/dashboard/')) return page('index.html')(req, res);
    next();
  });
}
