package awsfake

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// FuzzRequest sends arbitrary bodies for every served operation straight to
// the handler: whatever the input, the answer is an AWS error or a success,
// never a panic or an internal error.
func FuzzRequest(f *testing.F) {
	f.Add("DescribeVpcs", "Action=DescribeVpcs&Version=2016-11-15&MaxResults=5&Filter.1.Name=tag:Name&Filter.1.Value.1=prod-*")
	f.Add("GetIpamPoolAllocations", "Action=GetIpamPoolAllocations&Version=2016-11-15&IpamPoolId=ipam-pool-0123456789abcdef0&MaxResults=1000")
	f.Add("ProvisionIpamPoolCidr", "Action=ProvisionIpamPoolCidr&Version=2016-11-15&IpamPoolId=ipam-pool-0123456789abcdef0&NetmaskLength=40")
	f.Add("CreateIpamPool", "Action=CreateIpamPool&Version=2016-11-15&IpamScopeId=x&AddressFamily=ipv4&TagSpecification.1.ResourceType=ipam-pool&TagSpecification.1.Tag.1.Key=a")
	f.Add("AssumeRole", "Action=AssumeRole&Version=2011-06-15&RoleArn=arn:aws:iam::333333333333:role/OrganizationAccountAccessRole&RoleSessionName=x1&DurationSeconds=900")
	f.Add("ListAccounts", `{"MaxResults": 3, "NextToken": "abc"}`)
	f.Add("ListParents", `{"ChildId": "ou-abcd-12345678"}`)
	w := newTestWorld(f)
	srv := startServer(f, w.world)
	f.Fuzz(func(t *testing.T, opName, body string) {
		o, ok := operations[opKey{"ec2", opName}]
		if !ok {
			if o, ok = operations[opKey{"sts", opName}]; !ok {
				o, ok = operations[opKey{"organizations", opName}]
			}
		}
		if !ok {
			return
		}
		req := httptest.NewRequest(http.MethodPost, "/", strings.NewReader(body))
		switch o.service {
		case "organizations":
			req.Header.Set("Content-Type", "application/x-amz-json-1.1")
			req.Header.Set("X-Amz-Target", "AWSOrganizationsV20161128."+opName)
		default:
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		}
		req.Header.Set("Authorization", signedBy(networkKey, "us-east-1", o.service))
		rec := httptest.NewRecorder()
		srv.serveHTTP(rec, req)
		if rec.Code >= 500 {
			t.Fatalf("%s %q: status %d: %s", opName, body, rec.Code, rec.Body)
		}
	})
}
