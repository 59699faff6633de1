// Package awsfake is a stateful, in-process fake of the AWS APIs that ipamkit
// calls, served over the real wire protocols on a loopback HTTP server.
//
// The real, unmodified aws-sdk-go-v2 clients talk to it through BaseEndpoint,
// and boto3 or the AWS CLI through --endpoint-url: one endpoint serves every
// service, routed as AWS routes requests (SigV4 credential scope, the
// X-Amz-Target header, the form Action and Version, the CBOR operation path,
// REST paths). Behind the protocols sits a small model of an organization, not
// canned responses: reads page through it, writes change it, and asynchronous
// states advance as they do in AWS.
//
// # Identity
//
// Every request must carry a SigV4 Authorization header (or presigned
// X-Amz-Credential query parameter); an unsigned request is rejected with the
// service's missing-authentication error. The access key in the credential
// scope selects the calling account and principal, and the scope selects the
// region. Signatures are NOT verified: any secret key works with a known access
// key. [DefaultAccessKeyID] acts as an administrator in the management account,
// [Builder.AccessKey] adds more keys, and sts:AssumeRole hands out temporary
// keys that act in the role's account.
//
// # What is modelled
//
//   - Organizations: root, nested OUs, accounts (id, name, email, state), parents,
//     and MoveAccount from the management account.
//   - STS: GetCallerIdentity and AssumeRole with trust and ExternalId checks;
//     temporary credentials need their session token and expire.
//   - EC2, per account and region: VPCs with several IPv4 and IPv6 CIDR blocks,
//     subnets whose available-address count follows their used addresses, tags
//     (CreateTags), and the enabled regions. CreateVpc takes its CIDR from an
//     IPAM pool the account owns or has through a RAM share, holding an
//     allocation until DeleteVpc; CreateSubnet and DeleteSubnet too.
//   - IPAM, in the account that owns it: operating regions, private and public
//     scopes, pools (parent, locale, family, allocation rules, tags, state,
//     PublicIpSource, PubliclyAdvertisable, AwsService), provisioned CIDRs,
//     allocations, and the resource CIDRs that IPAM computes from the VPCs
//     and subnets of the organization in its operating regions; pools are
//     created, modified and deleted, CIDRs provisioned and deprovisioned.
//     Pools shared through RAM show in the principals' DescribeIpamPools, in
//     the share's region and the pool's locale.
//   - IPAM's asynchrony as AWS has it ([Options.Delays], [Options.StateReads]):
//     create-in-progress, modify-in-progress and delete-in-progress pools,
//     pending-provision and pending-deprovision CIDRs. Bad parameters are
//     refused at once, but a CIDR that is not available (outside the source
//     pool, taken, no free block of the netmask, overlapping another
//     top-level pool of the scope) is accepted and ends failed-provision with
//     FailureReason cidr-not-available, shown from the first answer; past
//     [Options.CIDRsPerPool], limit-exceeded. A pool past
//     [Options.PoolsPerScope] ends create-failed with a StateMessage.
//     Allocations are released when a deprovision or deletion settles, not at
//     the call. A pool with a change of its own in flight answers
//     IncorrectState, and past [Options.PoolMutations] changes in flight,
//     ConcurrentMutationLimitExceeded; both clear as changes settle. An
//     Amazon-provided IPv6 top-level pool is provisioned by netmask, from a
//     stand-in for Amazon's space (2600:1f00::/24).
//   - ClientToken idempotency: the same token and parameters answer the
//     first result, as it is now, even after the pool or CIDR was deleted or
//     deprovisioned (EC2 keeps a token at least 24 hours after the resource
//     ends; the fake keeps it for the server's life); other parameters answer
//     IdempotentParameterMismatch; a request refused at once spends no token.
//   - CloudWatch PutMetricData in RPC v2 CBOR, JSON 1.0 and awsQuery, with
//     its limits; accepted data is kept for tests ([Server.Metrics]). What
//     was put can be read back as from CloudWatch, in the same three
//     protocols: ListMetrics (the metrics the account put in the region,
//     filtered by namespace, name and dimensions, 500 a page) and
//     GetMetricData (up to 500 queries of a metric's Average, Sum, Minimum,
//     Maximum or SampleCount per period, ScanBy either way; a datum sent
//     without a Timestamp counts at its arrival, by the server's clock).
//   - SNS Publish and PublishBatch to the world's topics ([Builder.Topic]),
//     and EventBridge PutEvents to any bus, with their limits and per-entry
//     failures; accepted messages and events are kept for tests
//     ([Server.Messages], [Server.Events]). SNS ListTopics lists the
//     account's topics in the region, 100 a page, and EventBridge
//     ListEventBuses the default bus and every bus events were put on
//     (NamePrefix, Limit). Neither service has an API that reads messages
//     or events back, so the AWS CLI cannot list them, as against AWS:
//     tests read them with [Server.Messages] and [Server.Events].
//   - RAM resource shares of IPAM pools: create and delete, associate and
//     disassociate principals (accounts, OUs, the organization) and
//     resources, list shares, associations and resources. Associations pass
//     through ASSOCIATING (and DISASSOCIATING), settling like IPAM's states;
//     access lasts from ASSOCIATED until DISASSOCIATED. An OU principal
//     covers the accounts of the OU and of its child OUs. Names are not
//     unique, as in RAM: only a clientToken (on create, associate,
//     disassociate and delete) makes a retry safe, and a token replayed after
//     a delete answers the DELETED share.
//   - SSM GetParameter and Secrets Manager GetSecretValue of the world's
//     parameters and secrets ([Builder.Parameter], [Builder.Secret]).
//   - Lambda Invoke of the world's functions ([Builder.Function]), each a Go
//     [LambdaHandler], synchronous, Event and DryRun, with payload limits and
//     function errors; invocations are kept for tests ([Server.Invocations]).
//   - S3 CreateBucket, PutObject and GetObject (REST-XML, path-style and
//     virtual-hosted style), with the conditional writes of PutObject as S3
//     defines them: If-None-Match: * and If-Match: ETAG answer 412
//     PreconditionFailed, If-Match on a missing key 404 NoSuchKey; ETags
//     are quoted MD5s (s3.go).
//   - Pagination with opaque tokens, MaxResults ranges per operation, filters
//     applied before paging, and AWS's error codes for bad input.
//   - Time, injected: states settle by the server's clock ([Options.Now]) after
//     the delays of [Options.Delays], whoever reads them, or, for kinds of
//     change with no delay, after a number of reads ([Options.StateReads]),
//     the default, so unit tests need no clock. Tests that time states pass
//     a [Clock] and advance it instead of sleeping; [Realistic] sets AWS-like
//     delays and default quotas, as a demonstration server wants.
//   - Fault injection by service, operation, account and region
//     ([Server.InjectFault]) and a log of every call ([Server.Calls]).
//   - What a round trip to AWS costs: a latency per call, fixed or drawn
//     from a seeded log-normal distribution ([Options.Latency]), and
//     request rate limits per account, region and API action, token
//     buckets that answer the service's throttling error
//     ([Options.RateLimits]; [AWSRateLimits] are EC2's published ones).
//
// Worlds are built in code with a [Builder] or read from a YAML dataset
// ([LoadWorld], testdata/dataset.yaml); [Demo] is the demonstration
// organization and [Generate] makes large seeded worlds for benchmarks.
//
// # What is not modelled
//
// IAM policies (a principal may call every modelled operation of its own
// account, and Organizations read operations from the management account and
// its delegated administrators), RAM permissions and invitations, BYOIP
// verification (a BYOIP CIDR provisions like a private one) and public IPv4
// pools, Elastic IPs and network interfaces, VPC CIDR associations after
// creation and other EC2 writes, SNS subscriptions, topic attributes and
// FIFO topics, EventBridge bus creation and rules, CloudWatch alarms,
// metric math, Metrics Insights and percentiles, Lambda versions and
// aliases, parameter and secret versions, and every other operation of
// these services: they are routed and answer their protocol's
// unsupported-operation error until they are added.
//
// Where the modelled behaviour still differs from AWS:
//
//   - AWS's delays vary and its quotas are per account and adjustable; the
//     fake's are fixed per server, and off unless set. The limit on changes in
//     flight is a guess: AWS publishes none.
//   - Whether a CIDR fits is decided at the call, and the space of a CIDR that
//     will be provisioned is held from then on; a netmask request gets its
//     CIDR in the first answer, where AWS may fill it in later. Failure
//     messages are the fake's own words.
//   - A principal sees a shared pool only in DescribeIpamPools and CreateVpc;
//     GetIpamPoolCidrs and GetIpamPoolAllocations stay the owner's. Which
//     regions show a shared pool (the share's and the pool's locale) is an
//     approximation.
//   - Suspended or closed accounts still receive shares.
//   - ConcurrentMutationLimitExceeded and IncorrectState are not retried by
//     the SDK, as in AWS; modify-in-progress pools still take allocations and
//     provisions.
//   - Amazon-provided IPv6 takes any netmask that fits the stand-in /24; AWS
//     limits the sizes it hands out.
//
// # Clients in tests
//
// [Server.ClientConfig] returns an aws.Config for the real SDK clients:
// BaseEndpoint, static credentials, a fixed region, retries without
// back-off, and [Server.HTTPClient], which avoids a race between smithy-go
// and net/http that the fake's fast answers expose. Use it rather than a
// hand-built configuration.
//
// # Model and protocols
//
// The fake is split in two. The model is the state (state.go and the
// files per service) and one function per operation from the SDK's own
// input struct to its output struct, such as
//
//	func(st *state, c *call, in *ec2.CreateIpamPoolInput) (*ec2.CreateIpamPoolOutput, error)
//
// so the model speaks the SDK's vocabulary and holds only semantics:
// validation, state changes, asynchronous states, paging. The protocols are
// one reflection-driven codec each (codec.go): EC2 query (form members
// flattened as Name.N; XML answers in lowerCamel with <item> lists under
// …Set), awsQuery (Name.member.N and Name.entry.N in forms; <member> lists
// under an OpResult element), JSON 1.0 and 1.1 and restJson1 (the SDK's
// member names, RAM's in lowerCamel; timestamps as epoch seconds; restJson1
// query parameters as members of the same name) and RPC v2 CBOR (decoded
// to the same tree as JSON; timestamps as tag 1). CloudWatch's one model
// thus serves its three protocols. A member's wire name follows its
// protocol's rule from the Go field name; the few the rules miss
// (DescribeRegions' regionInfo, CreateTags' ResourceId, STS's arn, SNS's
// map entries) sit in small override tables, and TestWireNamesMatchSDK
// checks every name the codecs use against the SDK's generated
// serializers, deserializers or Smithy schemas in the module cache. Codec
// plans are built per type on first use and cached; nothing is built when
// the package is initialised.
//
// Writes that take a client token (EC2's ClientToken, RAM's clientToken)
// share one idempotency implementation (idempotency.go): the token, scoped
// by service and account, remembers a fingerprint of the typed input and
// the resource it made.
//
// Two kinds of answer are not the codec's. DescribeVpcs and
// DescribeSubnets decode through it but answer a listing of cached,
// encoded items, so that paging through 100,000 subnets stays cheap.
// Lambda Invoke, whose request and answer are a raw payload with its
// other members in the path and headers, is still decoded and written by
// hand.
//
// # Adding an operation
//
// Write its model with [model], passing the service's signing name, the
// operation's name and the function; list the value in the registry table
// (registry.go). The codec and the wire-name test pick it up from the
// types. For example, the whole of DeleteSubnet:
//
//	var ec2DeleteSubnet = model("ec2", "DeleteSubnet", func(st *state, c *call, in *ec2.DeleteSubnetInput) (*ec2.DeleteSubnetOutput, error) {
//		sn := st.subnets[aws.ToString(in.SubnetId)]
//		if sn == nil || sn.account != c.account() || sn.region != c.region {
//			return nil, badRequest("InvalidSubnetID.NotFound", "The subnet ID '%s' does not exist", aws.ToString(in.SubnetId))
//		}
//		… // remove it from the state
//		return &ec2.DeleteSubnetOutput{}, nil
//	})
package awsfake
