using System.Net;
using OnePass.TestKit;

namespace OnePass.Cluster.Tests.Kit;

/// <summary>Steps an agency takes, pointed at one node of a cluster.</summary>
public static class ClusterFlows
{
    public static AuthorizationRequest Request(Agency agency, string? scope = null) =>
        new(agency.ClientId, agency.RedirectUri) { Scope = scope ?? agency.Scope };

    /// <summary>Redeems a code at <paramref name="node"/>.</summary>
    public static async Task<ProtocolResponse> RedeemAsync(IdentityNode node, Agency agency, AuthorizationRequest request, string code)
    {
        using var http = node.CreateProtocolClient();
        return await new TokenClient(http).RedeemCodeAsync(agency.ClientId, agency.Secret, code, request.CodeVerifier, agency.RedirectUri);
    }

    public static async Task<ProtocolResponse> RefreshAsync(IdentityNode node, Agency agency, string refreshToken)
    {
        using var http = node.CreateProtocolClient();
        return await new TokenClient(http).RefreshAsync(agency.ClientId, agency.Secret, refreshToken);
    }

    /// <summary>Signs the citizen in (password, consent) through <paramref name="browser"/>'s node and redeems the code there.</summary>
    public static async Task<ProtocolResponse> SignInAsync(ClusterBrowser browser, Agency agency, string username = TestSeed.Citizen, string? scope = null)
    {
        var request = Request(agency, scope);
        var response = await browser.AuthorizeAsync(request, (username, TestSeed.Password));
        Assert.True(response.Code is not null, $"No code from node {browser.Node.Name}: {response.Page.Uri} {response.Page.Status}\n{browser.Node.Log}");

        var tokens = await RedeemAsync(browser.Node, agency, request, response.Code!);
        Assert.True(tokens.Status == HttpStatusCode.OK, tokens.Body);
        return tokens;
    }
}
