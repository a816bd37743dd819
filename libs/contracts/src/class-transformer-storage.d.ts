// class-transformer keeps its metadata storage in a module its package types but does not map.
declare module 'class-transformer/cjs/storage' {
  export { defaultMetadataStorage } from 'class-transformer/types/storage';
}
