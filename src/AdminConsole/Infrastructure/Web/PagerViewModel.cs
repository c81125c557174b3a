namespace OnePass.AdminConsole.Infrastructure.Web;

/// <summary>Previous/next links under a list (Shared/_Pager.cshtml); <see cref="Link"/> builds a page's URL with the list's filters.</summary>
public sealed record PagerViewModel(int Page, int PageCount, int Total, Func<int, string> Link);
