// The projects domain's public entry: what other domains and the entry points may use of it.
export { checkProjectsExist, maxProjectsPerPerson, projectIdsOf, projectIdsToWrite } from './project-service.ts';
export { Project } from './schema/project.ts';
