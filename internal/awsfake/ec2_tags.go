package awsfake

import (
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/ec2/types"
)

// maxTagResources is how many resources one CreateTags call may name.
const maxTagResources = 1000

var ec2CreateTags = model("ec2", "CreateTags", func(st *state, c *call, in *ec2.CreateTagsInput) (*ec2.CreateTagsOutput, error) {
	switch {
	case len(in.Resources) == 0:
		return nil, badRequest("MissingParameter", "The request must contain the parameter resourceIdSet")
	case len(in.Resources) > maxTagResources:
		return nil, badRequest("InvalidParameterValue", "The request may name at most %d resources, not %d", maxTagResources, len(in.Resources))
	case len(in.Tags) == 0:
		return nil, badRequest("MissingParameter", "The request must contain the parameter tagSet")
	}
	tags := make([]tag, len(in.Tags))
	for i, t := range in.Tags {
		tags[i] = tag{aws.ToString(t.Key), aws.ToString(t.Value)}
		if err := validTag(tags[i]); err != nil {
			return nil, err
		}
	}
	for _, id := range in.Resources {
		if err := st.checkTaggable(c, id); err != nil {
			return nil, err
		}
	}
	for _, id := range in.Resources {
		st.setTags(id, tags)
	}
	return &ec2.CreateTagsOutput{}, nil
})

// checkTaggable checks that the caller owns a resource in the request's region.
func (st *state) checkTaggable(c *call, id string) error {
	mine := func(account, region string) bool { return account == c.account() && region == c.region }
	switch prefix, _, _ := strings.Cut(id, "-"); {
	case strings.HasPrefix(id, "ipam-pool-alloc-"):
		// allocations are not taggable through CreateTags here
	case strings.HasPrefix(id, "ipam-pool-"):
		if _, err := c.visiblePool(st, id); err != nil {
			return err
		}
		return nil
	case strings.HasPrefix(id, "ipam-scope-"):
		if sc := st.scopes[id]; sc == nil || !c.visibleIPAM(st.ipams[sc.ipam]) {
			return notFoundScope(id)
		}
		return nil
	case prefix == "ipam":
		if !c.visibleIPAM(st.ipams[id]) {
			return notFoundIpam(id)
		}
		return nil
	case prefix == "vpc":
		if v := st.vpcs[id]; v == nil || !mine(v.account, v.region) {
			return badRequest("InvalidVpcID.NotFound", "The vpc ID '%s' does not exist", id)
		}
		return nil
	case prefix == "subnet":
		if sn := st.subnets[id]; sn == nil || !mine(sn.account, sn.region) {
			return badRequest("InvalidSubnetID.NotFound", "The subnet ID '%s' does not exist", id)
		}
		return nil
	}
	return badRequest("InvalidID", "The ID '%s' is not valid", id)
}

// sdkTags is a tag set as EC2 answers it, in key order; empty, not nil, when
// there are no tags.
func sdkTags(tags map[string]string) []types.Tag {
	out := make([]types.Tag, 0, len(tags))
	for _, k := range sortedKeys(tags) {
		out = append(out, types.Tag{Key: aws.String(k), Value: aws.String(tags[k])})
	}
	return out
}

// optString is s, or nil when s is empty.
func optString(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

// optInt32 is n, or nil when n is negative (unset in the model).
func optInt32(n int) *int32 {
	if n < 0 {
		return nil
	}
	return aws.Int32(int32(n))
}
