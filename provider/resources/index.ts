export { Organization, type OrganizationArgs } from "./organization";
export { OrganizationProfile, type OrganizationProfileArgs } from "./profile";
export {
  OrganizationMember,
  OrganizationMembers,
  type MemberAssignmentArgs,
  type OrganizationMemberArgs,
  type OrganizationMembersArgs,
} from "./members";
