// The platform's Web Crypto; fhirclient uses it for PKCE and state.
module.exports = globalThis.crypto;
