// Front-Channel Logout 1.0: the page frames each agency's logout URI; once every frame has loaded
// (or after five seconds, so a dead agency cannot hold the citizen), continue to the agency that
// asked for the logout. Without JavaScript, the "Continue" link does the same.
(() => {
    const container = document.getElementById("frontchannel-logout");
    if (!container) {
        return;
    }

    const target = container.dataset.continue;
    const frames = Array.from(container.querySelectorAll("iframe.frontchannel-logout"));
    let pending = frames.length;
    let done = false;
    const proceed = () => {
        if (!done) {
            done = true;
            window.location.replace(target);
        }
    };

    frames.forEach((frame) => {
        frame.addEventListener("load", () => {
            pending -= 1;
            if (pending === 0) {
                proceed();
            }
        });
        frame.src = frame.dataset.src;
    });
    setTimeout(proceed, 5000);
})();
