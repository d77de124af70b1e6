import 'reflect-metadata';
import { RequestMethod } from '@nestjs/common';
import { METHOD_METADATA, PATH_METADATA } from '@nestjs/common/constants';
import { ApiModule } from '../app.module';
import type { ApiSettings } from '../settings';
import { openApiDocument } from './openapi';

/** Every route a controller of the api serves, as "METHOD /path/{param}". */
function routes(): string[] {
  const controllers = ApiModule.forRoot({} as ApiSettings, {} as never).controllers ?? [];
  const out: string[] = [];
  for (const c of controllers) {
    const base = String(Reflect.getMetadata(PATH_METADATA, c) ?? '');
    const proto = (c as { prototype: Record<string, unknown> }).prototype;
    for (const name of Object.getOwnPropertyNames(proto)) {
      const handler = proto[name];
      if (name === 'constructor' || typeof handler !== 'function' || Reflect.getMetadata(PATH_METADATA, handler) === undefined) continue;
      const sub = String(Reflect.getMetadata(PATH_METADATA, handler));
      const method = RequestMethod[Reflect.getMetadata(METHOD_METADATA, handler) as number].toLowerCase();
      const path = `/${[base, sub].filter((p) => p && p !== '/').join('/')}`.replace(/:([A-Za-z]+)/g, '{$1}');
      out.push(`${method} ${path}`);
    }
  }
  return out;
}

describe('the OpenAPI document', () => {
  it('documents every route the api serves (but the document itself)', () => {
    const doc = openApiDocument() as { paths: Record<string, Record<string, unknown>> };
    const documented = new Set(Object.entries(doc.paths).flatMap(([p, ops]) => Object.keys(ops).map((m) => `${m} ${p}`)));
    const served = routes().filter((r) => !r.startsWith('get /docs'));
    expect(served.length).toBeGreaterThan(20);
    // a served template such as /alerts/{id}/{action} is documented by its instances (/alerts/{id}/resolve, ...)
    const isDocumented = (r: string) => {
      const pattern = new RegExp(`^${r.replace(/[.*+?^$()|[\]\\]/g, '\\$&').replace(/\{[A-Za-z]+\}/g, '[^/]+')}$`);
      return [...documented].some((d) => pattern.test(d));
    };
    expect(served.filter((r) => !isDocumented(r))).toEqual([]);
  });
});
