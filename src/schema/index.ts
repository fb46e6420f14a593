// Imports every type so that each registers itself with the builder; order does not matter.
import './scalars.ts';
import './errors.ts';
import './user.ts';
import './api-key.ts';
import './company.ts';
import './person.ts';
import './people.ts';
import './timeline.ts';
import './interaction-metadata.ts';
import './merge.ts';
import './import.ts';
import './avatar.ts';
import './note-category.ts';
import './note.ts';
import './tag.ts';
import './group-category.ts';
import './group.ts';
import './custom-field.ts';
import './field-value.ts';
import './project.ts';
import './subscription.ts';
import { refuseNonEntityRepresentations } from './federation.ts';
import { builder } from '../builder.ts';
import { installCompiledReads } from '../compiled-reads/index.ts';

/**
 * The schema served, an Apollo Federation 2 subgraph: `_service { sdl }` gives gateways the SDL
 * with @link and @key, and `_entities` resolves the references they send.
 */
export const schema = refuseNonEntityRepresentations(
  builder.toSubGraphSchema({ linkUrl: 'https://specs.apollo.dev/federation/v2.6' }),
);
// The hot reads, answered by one statement each when their selection allows (src/compiled-reads).
installCompiledReads(schema);
