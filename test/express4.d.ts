// Express 4 is installed as the alias `express4` (issue 13, item 11), beside Express 5. The part of
// its API the tests use (express(), .raw(), .json(), app.post) has the same shape as @types/express 5.
declare module 'express4' {
  import express from 'express';
  export default express;
}
