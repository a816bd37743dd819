// The BSN's 11-check lives with the contracts, where the personal-data check also uses it.
export { isValidBsn } from '@draaiboek/contracts';
