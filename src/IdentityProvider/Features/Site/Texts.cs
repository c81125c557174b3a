using System.Collections.Frozen;
using System.Globalization;

namespace OnePass.IdentityProvider.Features.Site;

/// <summary>
/// The words on the sign-in pages in the supported languages (English, French, Korean), picked by the
/// request culture (<c>ui_locales</c>, then the browser's languages). Unknown keys fall back to English.
/// </summary>
public static class Texts
{
    public static IReadOnlyList<string> Cultures { get; } = ["en", "fr", "ko"];

    private static readonly FrozenDictionary<string, FrozenDictionary<string, string>> Table = new Dictionary<string, FrozenDictionary<string, string>>
    {
        ["en"] = new Dictionary<string, string>
        {
            ["app.name"] = "OnePass",
            ["app.tagline"] = "One account for every public service.",
            ["login.title"] = "Sign in",
            ["login.username"] = "Username or e-mail",
            ["login.password"] = "Password",
            ["login.submit"] = "Sign in",
            ["login.failed"] = "The username or password is incorrect.",
            ["consent.title"] = "Share your information?",
            ["consent.intro"] = "{0} asks to:",
            ["consent.allow"] = "Allow",
            ["consent.deny"] = "Deny",
            ["consent.remember"] = "You can withdraw this permission at any time from your account.",
            ["scope.openid"] = "Sign you in with your OnePass account",
            ["scope.profile"] = "See your name and username",
            ["scope.email"] = "See your e-mail address",
            ["scope.offline_access"] = "Stay connected while you are away",
            ["logout.title"] = "Sign out?",
            ["logout.question"] = "Do you want to sign out of OnePass on this device?",
            ["logout.yes"] = "Sign out",
            ["logout.no"] = "Stay signed in",
            ["logout.agencies"] = "Signing you out of the agencies you used…",
            ["logout.continue"] = "Continue",
            ["signedout.title"] = "You are signed out",
            ["signedout.text"] = "You have signed out of OnePass. You can close this window.",
            ["error.title"] = "Something is not right",
            ["error.text"] = "The request could not be completed. Go back to the agency's site and try again.",
            ["home.signedin"] = "You are signed in as {0}.",
            ["home.signedout"] = "You are not signed in.",
        }.ToFrozenDictionary(),
        ["fr"] = new Dictionary<string, string>
        {
            ["app.tagline"] = "Un seul compte pour tous les services publics.",
            ["login.title"] = "Connexion",
            ["login.username"] = "Identifiant ou adresse e-mail",
            ["login.password"] = "Mot de passe",
            ["login.submit"] = "Se connecter",
            ["login.failed"] = "L'identifiant ou le mot de passe est incorrect.",
            ["consent.title"] = "Partager vos informations ?",
            ["consent.intro"] = "{0} demande à :",
            ["consent.allow"] = "Autoriser",
            ["consent.deny"] = "Refuser",
            ["consent.remember"] = "Vous pouvez retirer cette autorisation à tout moment depuis votre compte.",
            ["scope.openid"] = "Vous connecter avec votre compte OnePass",
            ["scope.profile"] = "Voir votre nom et votre identifiant",
            ["scope.email"] = "Voir votre adresse e-mail",
            ["scope.offline_access"] = "Rester connecté en votre absence",
            ["logout.title"] = "Se déconnecter ?",
            ["logout.question"] = "Voulez-vous vous déconnecter de OnePass sur cet appareil ?",
            ["logout.yes"] = "Se déconnecter",
            ["logout.no"] = "Rester connecté",
            ["logout.agencies"] = "Déconnexion des services utilisés en cours…",
            ["logout.continue"] = "Continuer",
            ["signedout.title"] = "Vous êtes déconnecté",
            ["signedout.text"] = "Vous vous êtes déconnecté de OnePass. Vous pouvez fermer cette fenêtre.",
            ["error.title"] = "Un problème est survenu",
            ["error.text"] = "La demande n'a pas pu aboutir. Retournez sur le site de l'administration et réessayez.",
            ["home.signedin"] = "Vous êtes connecté en tant que {0}.",
            ["home.signedout"] = "Vous n'êtes pas connecté.",
        }.ToFrozenDictionary(),
        ["ko"] = new Dictionary<string, string>
        {
            ["app.tagline"] = "모든 공공 서비스를 위한 하나의 계정.",
            ["login.title"] = "로그인",
            ["login.username"] = "아이디 또는 이메일",
            ["login.password"] = "비밀번호",
            ["login.submit"] = "로그인",
            ["login.failed"] = "아이디 또는 비밀번호가 올바르지 않습니다.",
            ["consent.title"] = "정보를 제공하시겠습니까?",
            ["consent.intro"] = "{0}에서 다음을 요청합니다:",
            ["consent.allow"] = "허용",
            ["consent.deny"] = "거부",
            ["consent.remember"] = "이 권한은 계정에서 언제든지 철회할 수 있습니다.",
            ["scope.openid"] = "OnePass 계정으로 로그인",
            ["scope.profile"] = "이름과 아이디 확인",
            ["scope.email"] = "이메일 주소 확인",
            ["scope.offline_access"] = "자리를 비운 동안에도 연결 유지",
            ["logout.title"] = "로그아웃하시겠습니까?",
            ["logout.question"] = "이 기기에서 OnePass 로그아웃을 하시겠습니까?",
            ["logout.yes"] = "로그아웃",
            ["logout.no"] = "로그인 유지",
            ["logout.agencies"] = "이용한 기관에서 로그아웃하는 중…",
            ["logout.continue"] = "계속",
            ["signedout.title"] = "로그아웃되었습니다",
            ["signedout.text"] = "OnePass에서 로그아웃했습니다. 이 창을 닫으셔도 됩니다.",
            ["error.title"] = "문제가 발생했습니다",
            ["error.text"] = "요청을 완료할 수 없습니다. 기관 사이트로 돌아가 다시 시도하십시오.",
            ["home.signedin"] = "{0}(으)로 로그인되어 있습니다.",
            ["home.signedout"] = "로그인되어 있지 않습니다.",
        }.ToFrozenDictionary(),
    }.ToFrozenDictionary();

    public static string Language
    {
        get
        {
            var language = CultureInfo.CurrentUICulture.TwoLetterISOLanguageName;
            return Table.ContainsKey(language) ? language : "en";
        }
    }

    public static string Get(string key) =>
        Table[Language].TryGetValue(key, out var text) ? text
        : Table["en"].TryGetValue(key, out var english) ? english
        : key;

    public static string Format(string key, params object?[] arguments) =>
        string.Format(CultureInfo.CurrentCulture, Get(key), arguments);
}
