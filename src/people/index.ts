// The people domain's public entry: what other domains and the entry points may use of it.
export { numberFields, type PersonInput, type PersonPlan, planPersonWrite, type PreparedPerson, preparePerson, textFields } from './person-input.ts';
export { archivePerson, changePerson, companyIds, createPerson, insertPerson, linkCompanies, updatePerson } from './person-service.ts';
export { Company } from './schema/company.ts';
export { Person, type PersonInputArg, personInputFields, toPersonInput } from './schema/person.ts';
