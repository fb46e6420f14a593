import { encodeGlobalID } from '@pothos/plugin-relay';
import { builder } from '../../graphql/builder.ts';
import { serviceContext } from '../../graphql/context.ts';
import { avatarVersion, removePersonAvatar, setPersonAvatar } from '../avatar-service.ts';
import { mutationResult } from '../../graphql/errors.ts';
import { targetId } from '../../graphql/ids.ts';

/** Where `GET /avatars/<id>` serves a person's image; src/avatars/avatar-route.ts reads this path. */
export function avatarPath(personId: string, version: string): string {
  return `/avatars/${encodeURIComponent(encodeGlobalID('Person', personId))}?v=${version}`;
}

builder.prismaObjectFields('Person', (t) => ({
  avatarUrl: t.string({
    nullable: true,
    description:
      'The path of the picture (GET it with the same API key), null when there is none. It changes whenever ' +
      'the picture does, so the response may be cached for good.',
    // Only the version: listing people never loads the image bytes.
    select: { id: true, avatar: { select: { updatedAt: true } } },
    resolve: (person) => (person.avatar ? avatarPath(person.id, avatarVersion(person.avatar)) : null),
  }),
}));

const avatarEvent = 'The timeline records AVATAR_CHANGED with { before: { contentType } | null, after: { contentType, byteSize } | null }.';

builder.mutationField('setPersonAvatar', (t) =>
  t.field({
    type: 'Person',
    description:
      'Sets or replaces the picture of a person (seed 000): a PNG, JPEG or WebP of at most 2 MB (2,097,152 bytes), ' +
      'judged by its content, not its name. Sent as a multipart request; a request body over 3 MB is refused ' +
      `with HTTP 413. ${avatarEvent}`,
    errors: mutationResult('SetPersonAvatar', 'person'),
    args: {
      personId: t.arg.id({ required: true }),
      file: t.arg({ type: 'File', required: true }),
    },
    resolve: (_root, { personId, file }, ctx) =>
      setPersonAvatar(serviceContext(ctx), targetId(personId, 'Person'), file),
  }),
);

builder.mutationField('removePersonAvatar', (t) =>
  t.field({
    type: 'Person',
    description: `Removes the picture of a person; a NotFoundError when there is none. ${avatarEvent}`,
    errors: mutationResult('RemovePersonAvatar', 'person'),
    args: { personId: t.arg.id({ required: true }) },
    resolve: (_root, { personId }, ctx) => removePersonAvatar(serviceContext(ctx), targetId(personId, 'Person')),
  }),
);
