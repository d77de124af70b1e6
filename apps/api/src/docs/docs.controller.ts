import { Controller, Get } from '@nestjs/common';
import { openApiDocument } from './openapi';

/** The OpenAPI document; the page at /docs (public/docs.html) renders it. Public: it holds no data. */
@Controller('docs')
export class DocsController {
  private readonly doc = openApiDocument();

  @Get('openapi.json')
  openapi() {
    return this.doc;
  }
}
