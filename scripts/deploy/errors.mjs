// The one way a deploy step stops: a DeployStop carries what went wrong and what to do about
// it; scripts/deploy.mjs prints both and exits 1 without a stack trace.
export class DeployStop extends Error {
  /**
   * @param {string} message what went wrong
   * @param {string} todo what the admin should do next
   */
  constructor(message, todo) {
    super(message);
    this.name = "DeployStop";
    this.todo = todo;
  }
}
