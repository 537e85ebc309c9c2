// OrganizationMember (one assignment) under the names every handlers module exports.
export {
  checkOne as check,
  createOne as create,
  diffOne as diff,
  readOne as read,
  removeOne as remove,
  updateOne as update,
  type MemberInputs,
  type MemberOutputs,
} from "./members";
