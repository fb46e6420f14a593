// The notes domain's public entry: what other domains and the entry points may use of it.
export { createNoteCategory } from './note-category-service.ts';
export { createNote, mergeNotes, visibleNotesWhere } from './note-service.ts';
export { NoteCategory } from './schema/note-category.ts';
export { Note } from './schema/note.ts';
