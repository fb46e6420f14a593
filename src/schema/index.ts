// Imports every type so that each registers itself with the builder; order does not matter.
import '../graphql/scalars.ts';
import '../graphql/errors.ts';
import '../accounts/schema/user.ts';
import '../accounts/schema/api-key.ts';
import '../people/schema/company.ts';
import '../people/schema/person.ts';
import '../people/schema/people.ts';
import '../timeline/schema/timeline.ts';
import '../timeline/schema/interaction-metadata.ts';
import '../merges/schema/merge.ts';
import '../imports/schema/import.ts';
import '../avatars/schema/avatar.ts';
import '../notes/schema/note-category.ts';
import '../notes/schema/note.ts';
import '../tags/schema/tag.ts';
import '../groups/schema/group-category.ts';
import '../groups/schema/group.ts';
import '../fields/schema/custom-field.ts';
import '../fields/schema/field-value.ts';
import '../projects/schema/project.ts';
import '../webhooks/schema/webhook.ts';
import '../people/schema/subscription.ts';
import '../privacy/schema/privacy.ts';
import '../duplicates/schema/duplicates.ts';
import { refuseNonEntityRepresentations } from './federation.ts';
import { builder } from '../graphql/builder.ts';
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
