'use strict';

module.exports = async function globalTeardown() {
  const infra = globalThis.__DRAAIBOEK_INFRA__;
  if (infra) await infra.stop();
};
