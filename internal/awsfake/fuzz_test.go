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
	f.Add("PutMetricData", "\xbf\x69Namespace\x62ns\xff")
	f.Add("Publish", "Action=Publish&Version=2010-03-31&TopicArn=arn:aws:sns:us-east-1:222222222222:t&Message=m&MessageAttributes.entry.1.Name=a&MessageAttributes.entry.1.Value.DataType=String")
	f.Add("PutEvents", `{"Entries":[{"Source":"s","DetailType":"d","Detail":"{}","Time":1.5e9}]}`)
	f.Add("Invoke", `{"a":1}`)
	f.Add("CreateVpc", "Action=CreateVpc&Version=2016-11-15&Ipv4IpamPoolId=ipam-pool-0123456789abcdef0&Ipv4NetmaskLength=20&TagSpecification.1.ResourceType=vpc&TagSpecification.1.Tag.1.Key=Env&TagSpecification.1.Tag.1.Value=x")
	f.Add("CreateSubnet", "Action=CreateSubnet&Version=2016-11-15&VpcId=vpc-0123456789abcdef0&CidrBlock=10.0.0.0/24&AvailabilityZone=us-east-1z")
	f.Add("GetParameter", `{"Name":"/a:2","WithDecryption":true}`)
	f.Add("GetSecretValue", `{"SecretId":"arn:aws:secretsmanager:us-east-1:1:secret:x-abcdef"}`)
	f.Add("CreateResourceShare", `{"name":"s","principals":["333333333333"],"resourceArns":["arn:aws:ec2::222222222222:ipam-pool/ipam-pool-0123456789abcdef0"]}`)
	f.Add("GetResourceShareAssociations", `{"associationType":"PRINCIPAL","maxResults":0}`)
	w := newTestWorld(f)
	srv := startServer(f, w.world)
	f.Fuzz(func(t *testing.T, opName, body string) {
		var o operation
		found := false
		for key, candidate := range operations() {
			if key.name == opName {
				o, found = candidate, true
				break
			}
		}
		if !found {
			return
		}
		path := "/"
		header := map[string]string{}
		switch o.service {
		case "organizations", "events", "ssm", "secretsmanager":
			header["Content-Type"] = "application/x-amz-json-1.1"
			header["X-Amz-Target"] = services()[o.service].targetPrefix + "." + opName
		case "monitoring":
			path = "/service/GraniteServiceVersion20100801/operation/" + opName
			header["Smithy-Protocol"] = "rpc-v2-cbor"
		case "ram":
			path = "/" + strings.ToLower(opName)
		case "lambda":
			path = "/2015-03-31/functions/f/invocations"
		default:
			header["Content-Type"] = "application/x-www-form-urlencoded"
		}
		req := httptest.NewRequest(http.MethodPost, path, strings.NewReader(body))
		for k, v := range header {
			req.Header.Set(k, v)
		}
		req.Header.Set("Authorization", signedBy(networkKey, "us-east-1", o.service))
		rec := httptest.NewRecorder()
		srv.serveHTTP(rec, req)
		if rec.Code >= 500 {
			t.Fatalf("%s %q: status %d: %s", opName, body, rec.Code, rec.Body)
		}
	})
}
