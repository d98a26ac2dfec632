"""The demo community that ``manage.py load_demo`` creates.

All text here was written for CareerKB by the team; none of it is copied from an article
or a thread. Dates are "days ago" so the demo always looks alive. Answers say how many
days after their question they came; votes and comments name the members who cast them.
"""

from textwrap import dedent

DEMO_USERNAME = "demo"
DEMO_PASSWORD = "careerkb-demo"


def md(text: str) -> str:
    return dedent(text).strip() + "\n"


USERS = [
    # username, display name, headline, bio
    (
        DEMO_USERNAME,
        "Demo Member",
        "Trying CareerKB out",
        "The shared demo account. Ask, answer, vote: the demo database is yours to play with.",
    ),
    (
        "maya",
        "Maya Lindqvist",
        "Perception engineer, autonomous driving",
        "Six years of 2D detection and tracking for driver assistance; now learning 3D scene "
        "understanding on the job.",
    ),
    (
        "tomasz",
        "Tomasz Wierzbicki",
        "Mechanical engineer turned CV engineer",
        "Designed gearboxes for eight years, then taught myself computer vision in the "
        "evenings. Now I build inspection systems for a manufacturer.",
    ),
    (
        "priya",
        "Priya Raman",
        "Ex-PhD (robotics), now product ML lead",
        "Left a robotics PhD in year four for a product team. No regrets, a few lessons.",
    ),
    (
        "daniel",
        "Daniel Okafor",
        "Staff engineer at a big tech company",
        "Two startups (one sold, one did not), then five years at a large company.",
    ),
    (
        "lea",
        "Léa Moreau",
        "Hiring manager, computer-vision team",
        "I read a lot of CVs and run a lot of interview loops. Happy to say what we look for.",
    ),
    (
        "kenji",
        "Kenji Sato",
        "C++ and embedded vision developer",
        "Cameras, FPGAs, and making models fit on hardware that was never meant for them.",
    ),
    (
        "sofia",
        "Sofia Costa",
        "MLOps and deployment engineer",
        "I get models out of notebooks and into production, and keep them there.",
    ),
    (
        "arjun",
        "Arjun Mehta",
        "Final-year PhD student, 3D vision",
        "Working on neural scene representations; deciding what comes after the defence.",
    ),
    (
        "hannah",
        "Hannah Becker",
        "Career coach for engineers, former tech recruiter",
        "Ten years on the recruiting side, now on the candidates' side.",
    ),
    (
        "marco",
        "Marco Bianchi",
        "Mechanical design engineer exploring ML",
        "CAD by day, PyTorch by night. Trying to work out whether the switch is realistic.",
    ),
    (
        "nina",
        "Nina Petrova",
        "PhD student, medical imaging",
        "Fourth year, segmentation of ultrasound images, thinking hard about industry.",
    ),
]

TAG_DESCRIPTIONS = {
    "phd-vs-product": "Whether to start, finish or leave a PhD, and how research careers compare "
    "with product and engineering teams.",
    "startups-vs-big-tech": "Choosing between small companies and large ones: scope, pay, "
    "equity, learning, stability.",
    "skills": "Which skills employers actually test and use, and how to learn them.",
    "c++": "Modern C++ for robotics, embedded and performance-critical vision work.",
    "deployment": "Getting models out of notebooks: packaging, serving, monitoring, edge devices.",
    "portfolio": "Projects, write-ups and public work that show what you can do.",
    "interviews": "Interview loops, take-home tasks, system design and how to prepare.",
    "computer-vision": "Jobs and careers in computer vision: detection, segmentation, "
    "3D, inspection, perception.",
    "career-switch": "Moving into a new field or role from somewhere else.",
    "big-tech": "Working at large technology companies.",
    "mle": "Machine learning engineering roles: building, shipping and running ML systems.",
    "3d-vision": "Depth, point clouds, reconstruction and scene understanding.",
    "self-study": "Learning on your own: courses, books, projects and keeping going.",
}

SYNONYMS = [("faang", "big-tech"), ("ml-engineer", "mle")]


QUESTIONS = [
    {
        "author": "arjun",
        "days_ago": 150,
        "title": "Should I finish my PhD or take the product ML offer I have now?",
        "tags": ["phd-vs-product", "career-switch", "computer-vision"],
        "views": 412,
        "body": md(
            """
            I am in the fourth year of a PhD on 3D reconstruction. My advisor expects me to
            defend in about 14 months. Last week a product team at a mid-sized company offered
            me a computer-vision engineer role, starting in two months.

            The offer is good and the team works on things close to my thesis. But I worry
            that leaving without the degree closes doors later, especially for research
            roles. I also worry that another year of the PhD is a year of lower pay and a
            shrinking job market.

            How did you weigh this? Is the degree worth the last year if I am fairly sure I
            want to build products rather than publish?
            """
        ),
        "votes": ["priya", "nina", "tomasz", "hannah", "lea", "maya"],
        "comments": [
            ("nina", "Following this one closely: I am in almost the same spot, a year behind."),
        ],
        "answers": [
            {
                "author": "priya",
                "after": 1,
                "accepted": True,
                "votes": ["arjun", "nina", "daniel", "hannah", "lea", "tomasz", "maya"],
                "comments": [
                    ("arjun", "The table is exactly the framing I was missing. Thank you."),
                ],
                "body": md(
                    """
                    I left in year four, so here is the view from the other side. The question
                    is less "degree or no degree" and more "which doors do I actually want to
                    keep open, and what does each one cost".

                    | | Finish the PhD | Take the offer now |
                    |---|---|---|
                    | Research scientist roles | Open | Mostly closed for a few years |
                    | Product / applied roles | Open | Open, with a year's head start |
                    | Money over the next 2 years | Lower | Clearly higher |
                    | Risk | Thesis delays are common | The team could be reorganised |

                    If you are honest with yourself that you want to build products, the degree
                    buys you little. Hiring managers on product teams look at what you shipped.
                    Nobody has asked me about my missing title since my second job.

                    Two things I would still do before deciding:

                    1. Ask the company whether you can start part-time or in six months. Many
                       teams say yes to a strong candidate; it costs nothing to ask.
                    2. Talk to your advisor early. Some will help you wrap up a shorter thesis
                       from industry; some will not, and it is better to know now.

                    If the answer to both is no, take the offer.
                    """
                ),
            },
            {
                "author": "daniel",
                "after": 2,
                "votes": ["arjun", "priya"],
                "body": md(
                    """
                    A different angle: look at the last 14 months estimate. In my circle,
                    almost every "about a year left" turned into 18 to 24 months. If the offer
                    is for a team you would pick anyway, the expected cost of staying is
                    higher than it looks.

                    On the other hand, if any part of you wants to go back to research later,
                    finishing now is much easier than finishing at 35 with a job and a family.
                    """
                ),
            },
            {
                "author": "hannah",
                "after": 3,
                "votes": ["nina"],
                "body": md(
                    """
                    From the recruiting side: for applied and product roles, "PhD candidate,
                    left to join X" reads fine on a CV, as long as you can say in one sentence
                    why you left. "I wanted to ship what I was researching" is a good sentence.

                    What reads badly is a long gap with nothing to show. Either path is fine;
                    drifting between them is the expensive option.
                    """
                ),
            },
        ],
    },
    {
        "author": DEMO_USERNAME,
        "days_ago": 140,
        "title": "Startup or big tech for my first computer-vision job after graduating?",
        "tags": ["startups-vs-big-tech", "computer-vision", "big-tech"],
        "views": 388,
        "body": md(
            """
            I finish a master's degree in the summer. I have two offers: a 15-person startup
            doing drone inspection, and a large company's camera team. The startup pays less
            but promises "ownership of the whole pipeline". The big company has a structured
            graduate programme.

            For someone starting out, which teaches more? I am worried about getting stuck
            on a tiny piece of a huge system, but also about having no mentor at all.
            """
        ),
        "votes": ["marco", "nina", "arjun", "kenji"],
        "answers": [
            {
                "author": "daniel",
                "after": 1,
                "accepted": True,
                "votes": [DEMO_USERNAME, "maya", "kenji", "sofia", "hannah"],
                "body": md(
                    """
                    I did it in the startup-first order and would recommend it only with one
                    condition: **there must be at least one senior engineer you will work with
                    every day.** Ownership without feedback mostly means repeating your own
                    mistakes faster.

                    What the startup gives you:

                    - You see data collection, labelling, training, deployment and customers.
                    - You learn to make trade-offs with no one to escalate to.

                    What the large company gives you:

                    - Code review from people who are very good at it.
                    - Infrastructure that lets you run experiments you could never afford.
                    - A brand on the CV that opens the next door without much effort.

                    Ask the startup who would review your code in your first month, and ask
                    the big company which team you land in and what its last launch was. The
                    answers usually make the choice for you.
                    """
                ),
            },
            {
                "author": "maya",
                "after": 4,
                "votes": [DEMO_USERNAME, "daniel"],
                "body": md(
                    """
                    I started at a large automotive supplier. The "tiny piece" fear is real
                    but overstated: I owned the tracking module, which was small in the
                    system but big enough to learn a lot about latency, testing and working
                    with other teams.

                    The thing I would check is runway. A drone inspection startup with 15
                    people should be able to tell you how many months of money it has. If
                    they will not, that is an answer too.
                    """
                ),
            },
        ],
    },
    {
        "author": "tomasz",
        "days_ago": 132,
        "title": "Which skills actually matter for a first computer-vision job?",
        "tags": ["skills", "computer-vision", "career-switch"],
        "views": 655,
        "body": md(
            """
            There is an endless list of things to learn: classical CV, deep learning, CUDA,
            C++, MLOps, SLAM, transformers, and so on. I have limited evenings.

            If you hire for, or work in, computer vision: which skills do you actually check
            for a junior or first CV role, and which are nice to have?
            """
        ),
        "votes": ["marco", "nina", "lea", "arjun", "kenji", "sofia", "hannah", DEMO_USERNAME],
        "comments": [
            ("marco", "Bookmarking. The list of things to learn is what paralyses me."),
            ("lea", "Good question. I will answer from the hiring side tonight."),
        ],
        "answers": [
            {
                "author": "lea",
                "after": 1,
                "accepted": True,
                "votes": ["tomasz", "marco", "nina", "kenji", "maya", "sofia", "arjun", "hannah"],
                "comments": [
                    ("tomasz", "Reassuring that CUDA is not in the must-have list. Thanks, Lea."),
                    ("kenji", "Agree on data skills. Half my debugging is looking at images."),
                ],
                "body": md(
                    """
                    What my team checks for a first CV role, roughly in order:

                    1. **Python you can read and test.** Clean functions, a test or two,
                       no 400-line notebook cells.
                    2. **Working with data.** Can you look at a dataset, find label noise,
                       split it without leaking, and explain a confusion matrix?
                    3. **One deep learning framework, properly.** Write a training loop by
                       hand once; know what the optimiser, the scheduler and augmentation do.
                    4. **Geometry basics.** Camera intrinsics, homographies, what a projection
                       is. It comes up constantly and few juniors know it.
                    5. **Evaluating honestly.** The right metric for the task, and error
                       analysis by category rather than one number.

                    Nice to have, not expected: C++, CUDA, deployment to edge devices, SLAM.
                    We teach those on the job, and each team needs a different one.

                    What makes a candidate stand out is depth in one project rather than
                    breadth: "I tried three losses and here is why the second one won" beats
                    ten tutorials.
                    """
                ),
            },
            {
                "author": "kenji",
                "after": 2,
                "votes": ["tomasz", "marco"],
                "body": md(
                    """
                    From the embedded side, the list changes a bit: C++ moves up and
                    transformers move down. If you apply to robotics or camera companies, at
                    least be able to read C++ and explain what a memory copy costs.

                    But Lea's points 2 and 5 are universal. The best juniors I worked with
                    looked at their data before touching the model.
                    """
                ),
            },
            {
                "author": "maya",
                "after": 6,
                "votes": ["tomasz"],
                "body": md(
                    """
                    One addition: learn to read a paper's method section and re-implement
                    the core idea in a weekend. Interviewers in perception often ask you to
                    explain a recent paper you liked; being able to say what you changed and
                    what happened is worth more than having read fifty abstracts.
                    """
                ),
            },
        ],
    },
    {
        "author": "arjun",
        "days_ago": 118,
        "title": "How much modern C++ do I need for robotics perception roles?",
        "tags": ["c++", "skills", "computer-vision"],
        "views": 297,
        "body": md(
            """
            All my research code is Python and PyTorch. Many perception job adverts ask for
            "strong C++". I can write C++ from university courses, but that was C++98-style
            code with raw pointers everywhere.

            What level do teams expect, and what should I practise first?
            """
        ),
        "votes": ["kenji", "maya", "tomasz"],
        "answers": [
            {
                "author": "kenji",
                "after": 1,
                "accepted": True,
                "votes": ["arjun", "maya", "tomasz", "marco", "sofia"],
                "comments": [
                    ("arjun", "The span example helps a lot. I did not know about std::span."),
                ],
                "body": md(
                    """
                    Expectations for someone coming from research: you can read the team's
                    code, write a well-behaved component, and not leak or copy memory
                    carelessly. Nobody expects template metaprogramming.

                    Practise these, in this order:

                    - RAII and ownership: `std::unique_ptr`, values by default, no naked
                      `new`.
                    - Views instead of copies: `std::span`, `std::string_view`, const
                      references.
                    - The build: CMake targets, compiler warnings on, sanitizers in debug.
                    - Profiling: find the hot loop with `perf` before optimising anything.

                    A small example of the style teams like, a function that works on image
                    rows without copying them:

                    ```cpp
                    #include <cstdint>
                    #include <span>

                    // Mean brightness of a greyscale image, without copying the pixels.
                    double mean_brightness(std::span<const std::uint8_t> pixels) {
                        if (pixels.empty()) return 0.0;
                        std::uint64_t sum = 0;
                        for (auto value : pixels) sum += value;
                        return static_cast<double>(sum) / pixels.size();
                    }
                    ```

                    Then port one of your Python preprocessing steps to C++, bind it with
                    pybind11, and measure it. That single project covers most interview
                    questions I ask.
                    """
                ),
            },
            {
                "author": "maya",
                "after": 3,
                "votes": ["arjun"],
                "body": md(
                    """
                    In our team most perception work is still Python for training and C++ for
                    the runtime. Juniors start on the Python side and move over. So "strong
                    C++" in an advert often means "willing to become strong in C++".

                    Ask in the first interview how the split looks in that team; it tells
                    you how much to prepare.
                    """
                ),
            },
        ],
    },
    {
        "author": "tomasz",
        "days_ago": 104,
        "title": "My model works in a notebook. How do I learn deployment properly?",
        "tags": ["deployment", "skills", "mle"],
        "views": 341,
        "body": md(
            """
            I trained a defect detector that works well in Jupyter. Now my manager wants it
            running next to the production line, on a small industrial PC without a GPU.

            I have never deployed a model. Where do I start, and what are the usual traps?
            """
        ),
        "votes": ["sofia", "kenji", "marco", "nina"],
        "answers": [
            {
                "author": "sofia",
                "after": 1,
                "accepted": True,
                "votes": ["tomasz", "kenji", "marco", "nina", "daniel", "lea"],
                "comments": [
                    ("tomasz", "The preprocessing parity check found a bug in my resize. Wow."),
                    ("kenji", "+1 to pinning the versions. Saved me more than once."),
                ],
                "body": md(
                    """
                    Welcome to the fun part. A path that works for CPU-only edge boxes:

                    1. **Freeze the preprocessing.** Move resize, normalisation and colour
                       order into one function used by training and inference alike. Most
                       "the model got worse in production" bugs live here.
                    2. **Export to ONNX** and run it with ONNX Runtime. It is fast on CPU
                       and has no PyTorch dependency on the target.
                    3. **Check parity**: the same 50 images through the notebook model and
                       the exported one must give the same outputs within a small tolerance.
                    4. **Wrap it in a tiny service** with a health check, and log input
                       statistics so you notice when the camera or lighting changes.

                    The export and parity check look like this:

                    ```python
                    import numpy as np
                    import onnxruntime as ort
                    import torch

                    model.eval()
                    example = torch.randn(1, 3, 512, 512)
                    torch.onnx.export(model, example, "detector.onnx", opset_version=17)

                    session = ort.InferenceSession("detector.onnx")
                    for image in parity_images:
                        expected = model(image).detach().numpy()
                        actual = session.run(None, {session.get_inputs()[0].name: image.numpy()})[0]
                        assert np.allclose(expected, actual, atol=1e-4)
                    ```

                    Pin every version (Python, ONNX Runtime, OpenCV) in the image you ship.
                    Production lines run for years; "latest" will break one day.
                    """
                ),
            },
            {
                "author": "kenji",
                "after": 2,
                "votes": ["tomasz", "sofia"],
                "body": md(
                    """
                    Also measure latency on the actual industrial PC early. Those boxes often
                    have old CPUs without the vector instructions your laptop has, and a model
                    that runs in 30 ms at your desk can take 300 ms on the line.

                    If it is too slow, try a smaller input size before a smaller model. It is
                    the cheapest win and often costs little accuracy for defect detection.
                    """
                ),
            },
        ],
    },
    {
        "author": DEMO_USERNAME,
        "days_ago": 96,
        "title": "What should a computer-vision portfolio contain without industry experience?",
        "tags": ["portfolio", "computer-vision", "career-switch"],
        "views": 502,
        "body": md(
            """
            I am applying for junior CV roles and have no industry experience. My GitHub has
            a dozen course projects (MNIST, CIFAR, a YOLO tutorial). I suspect they all look
            the same as everyone else's.

            What would make a hiring manager actually open a project and read it?
            """
        ),
        "votes": ["marco", "tomasz", "nina", "hannah", "lea"],
        "answers": [
            {
                "author": "lea",
                "after": 1,
                "accepted": True,
                "votes": [DEMO_USERNAME, "marco", "tomasz", "hannah", "nina", "sofia"],
                "body": md(
                    """
                    Honest answer: I open at most two projects per candidate, for about two
                    minutes each. What makes me stay:

                    - **A problem I have not seen a hundred times.** Counting bees at a hive
                      entrance, reading analogue gauges, detecting potholes from a bike camera.
                    - **Your own data.** Even 300 images you collected and labelled show more
                      than a famous dataset.
                    - **A README that reads like a short report**: the goal, the data, what
                      you tried, a table of results, what failed and why.
                    - **Error analysis with pictures.** Show me ten failures and your guess
                      at their cause.

                    Archive or hide the course projects; they dilute the good ones. Two strong
                    projects beat twelve tutorials.
                    """
                ),
            },
            {
                "author": "tomasz",
                "after": 3,
                "votes": [DEMO_USERNAME, "marco"],
                "body": md(
                    """
                    What got me interviews as a career switcher was a project from my old
                    field: measuring gear tooth wear from photos. It connected my mechanical
                    background to CV, and every interviewer asked about it.

                    If you have any domain you know well, use it. It is the one thing other
                    applicants cannot copy.
                    """
                ),
            },
        ],
    },
    {
        "author": "kenji",
        "days_ago": 88,
        "title": "How do I prepare for a computer-vision system design interview?",
        "tags": ["interviews", "computer-vision", "big-tech"],
        "views": 276,
        "body": md(
            """
            I have a loop next month for a senior role that includes "ML system design". I
            know how to build vision systems, but I have never had to design one out loud on
            a whiteboard in 45 minutes.

            What do interviewers expect, and how should I structure the time?
            """
        ),
        "votes": ["daniel", "lea", "sofia"],
        "answers": [
            {
                "author": "daniel",
                "after": 1,
                "accepted": True,
                "votes": ["kenji", "lea", "sofia", "maya"],
                "comments": [
                    ("kenji", "Spending the first five minutes on requirements is what I skip."),
                ],
                "body": md(
                    """
                    I run these interviews. A structure that works:

                    1. **Requirements (5 min).** Who uses it, latency, on device or in the
                       cloud, how many images per second, what a mistake costs.
                    2. **Data (10 min).** Where labels come from, how you keep them good,
                       how you find the rare cases.
                    3. **Model and training (10 min).** A sensible baseline first, then what
                       you would change and why. Do not start with the fanciest model.
                    4. **Serving and monitoring (10 min).** Batching, fallbacks, and how you
                       notice drift.
                    5. **Iteration (5 min).** How a failure in production becomes a new
                       training example.

                    Candidates fail mostly by jumping to the model architecture in minute two.
                    We want to see that you can ship and run the thing, not recite papers.
                    """
                ),
            },
            {
                "author": "lea",
                "after": 2,
                "votes": ["kenji"],
                "body": md(
                    """
                    Practise out loud with a friend and a timer, twice. The content you
                    already know; what people underestimate is talking while drawing and
                    keeping an eye on the clock. Say your assumptions explicitly so the
                    interviewer can correct them early.
                    """
                ),
            },
        ],
    },
    {
        "author": "marco",
        "days_ago": 80,
        "title": "Is it realistic to switch from mechanical engineering to computer vision at 32?",
        "tags": ["career-switch", "computer-vision", "self-study"],
        "views": 590,
        "body": md(
            """
            I am 32, a mechanical design engineer with a family and a mortgage. I have done
            two online courses and built a few small projects. I enjoy it far more than CAD.

            Is the switch realistic without going back to university, and how long did it
            take people who did it?
            """
        ),
        "votes": ["tomasz", "hannah", "nina", "lea", DEMO_USERNAME],
        "comments": [
            ("hannah", "Very common question in my coaching work, and yes, it is realistic."),
        ],
        "answers": [
            {
                "author": "tomasz",
                "after": 1,
                "accepted": True,
                "votes": ["marco", "hannah", "lea", "nina", "kenji", DEMO_USERNAME, "maya"],
                "comments": [
                    ("marco", "The bridge-role idea had not occurred to me. Talking to QA now."),
                ],
                "body": md(
                    """
                    I did it at 34, so yes. It took me about 20 months of evenings from my
                    first course to my first CV job offer. I wrote up the whole story as an
                    experience post, but the short version:

                    - **Do not aim for a research role.** Aim for applied CV in an industry
                      you know: manufacturing, inspection, robotics, agriculture.
                    - **Look for a bridge role.** My first CV work was inside my old company,
                      automating a visual inspection the quality team did by hand.
                    - **Protect a fixed schedule.** Three evenings a week and one weekend
                      morning, every week, was sustainable with kids. Bursts were not.

                    Your mechanical background is an asset: you understand tolerances,
                    measurement and what a defect costs. Most CV applicants do not.
                    """
                ),
            },
            {
                "author": "hannah",
                "after": 2,
                "votes": ["marco", "tomasz"],
                "body": md(
                    """
                    Financially, plan for a step down in title and maybe salary for the
                    first role, and a quick recovery after. Two years in, most switchers I
                    coached earned more than in their old field.

                    Tell your current manager what you are learning if the culture allows
                    it. Internal moves are the easiest first step by far.
                    """
                ),
            },
        ],
    },
    {
        "author": "arjun",
        "days_ago": 74,
        "title": "PhD in 3D vision: research lab at a big company or a product team?",
        "tags": ["phd-vs-product", "big-tech", "3d-vision"],
        "views": 233,
        "body": md(
            """
            Assuming I finish my PhD: I have a chance at an industrial research lab (papers,
            conferences, long horizons) and a product team at the same company (features
            that ship to millions of phones).

            People who tried both: how different are they day to day, and is it easy to move
            between them later?
            """
        ),
        "votes": ["priya", "maya", "nina"],
        "answers": [
            {
                "author": "priya",
                "after": 2,
                "votes": ["arjun", "nina", "maya"],
                "body": md(
                    """
                    Day to day, the lab feels like a well-funded PhD: you choose problems,
                    success is a paper or a patent, and the feedback loop is months. The
                    product team feels like an engineering job with research moments: fixed
                    dates, metrics someone else cares about, and feedback in weeks.

                    Moving from research to product is easy and common. Moving back is
                    harder, because your publication record stops while you ship. If you are
                    unsure, start in the lab for two or three years; the door to product
                    stays open.
                    """
                ),
            },
            {
                "author": "maya",
                "after": 5,
                "votes": ["arjun"],
                "body": md(
                    """
                    One thing to check: how often the lab's work actually ships. Some labs
                    have a strong path into products and you get both worlds; others are
                    quite isolated, and after a reorganisation they are the first to shrink.
                    """
                ),
            },
        ],
    },
    {
        "author": "nina",
        "days_ago": 66,
        "title": "How do I explain leaving a PhD without it sounding like a failure?",
        "tags": ["phd-vs-product", "interviews", "career-switch"],
        "views": 318,
        "body": md(
            """
            I am seriously thinking about leaving my PhD in medical imaging after three and a
            half years. My worry is the interviews: "why did you not finish?" feels like a
            trap question. How do people answer it?
            """
        ),
        "votes": ["priya", "hannah", "arjun", "lea"],
        "answers": [
            {
                "author": "priya",
                "after": 1,
                "accepted": True,
                "votes": ["nina", "hannah", "arjun", "lea", "daniel"],
                "body": md(
                    """
                    It is not a trap question; interviewers mostly want to know that you made
                    a decision rather than drifted. Answer in three parts:

                    1. **What you did**: "I spent three and a half years on ultrasound
                       segmentation and published two papers."
                    2. **What you learned about yourself**: "I found I enjoy making things
                       work for users more than pushing a benchmark."
                    3. **Why this role**: connect it to that preference.

                    Keep it under a minute and do not apologise. Nobody on a product team
                    holds a missing PhD against you; they hold vagueness against you.
                    """
                ),
            },
            {
                "author": "hannah",
                "after": 2,
                "votes": ["nina"],
                "body": md(
                    """
                    Practise the answer until it is boring to you. Candidates who are still
                    emotional about leaving tend to over-explain, and that is what makes it
                    sound like failure. Short and forward-looking wins.
                    """
                ),
            },
        ],
    },
    {
        "author": "kenji",
        "days_ago": 58,
        "title": "How should I value startup equity against a big-tech offer?",
        "tags": ["startups-vs-big-tech", "big-tech", "salary"],
        "views": 467,
        "body": md(
            """
            I have an offer from a 40-person robotics startup with a lower salary plus stock
            options, and one from a large company with a higher salary plus stock that vests
            over four years. How do people compare these without fooling themselves?
            """
        ),
        "votes": ["daniel", "hannah", "sofia", DEMO_USERNAME],
        "answers": [
            {
                "author": "daniel",
                "after": 1,
                "accepted": True,
                "votes": ["kenji", "hannah", "sofia", "priya", "lea"],
                "comments": [
                    ("kenji", "Valuing the options at zero for the comparison is sobering."),
                ],
                "body": md(
                    """
                    Having been paid in both currencies: compare the offers as if the startup
                    options were worth zero, then decide whether the difference is a price
                    you are willing to pay for what the startup gives you.

                    Questions to ask the startup, and what the answers mean:

                    | Question | A good sign | A warning sign |
                    |---|---|---|
                    | What share of the company is that? | A clear percentage | "Confidential" |
                    | Last valuation and preferences? | One simple round | Layers of preferences |
                    | How long do I have to exercise if I leave? | Years | 90 days |
                    | How many months of runway? | 18 or more | "We are about to raise" |

                    Big-company stock is close to cash. Startup options are a lottery ticket
                    with better odds if you pick carefully. Take the startup if you want the
                    job itself, never for the options alone.
                    """
                ),
            },
            {
                "author": "hannah",
                "after": 3,
                "votes": ["kenji"],
                "body": md(
                    """
                    Also negotiate. Startups often have more room on options than on salary,
                    and large companies often have room on the sign-on bonus. Ask for the
                    offer in writing before you compare; verbal numbers drift.
                    """
                ),
            },
        ],
    },
    {
        "author": "marco",
        "days_ago": 52,
        "title": "Does a Kaggle ranking help when applying for ML engineer roles?",
        "tags": ["mle", "portfolio", "skills"],
        "views": 204,
        "body": md(
            """
            I have been doing Kaggle competitions for a year and reached the expert tier.
            Does that count for anything with hiring managers for ML engineer roles, or is it
            seen as a different skill?
            """
        ),
        "votes": ["sofia", "tomasz"],
        "answers": [
            {
                "author": "lea",
                "after": 2,
                "votes": ["marco", "sofia", "tomasz"],
                "body": md(
                    """
                    It helps a little, mostly as a conversation starter. It shows you can
                    iterate on a model and validate carefully, which is real.

                    What it does not show is everything an ML engineer spends most time on:
                    messy data nobody cleaned for you, deployment, monitoring, and working
                    with a team. Pair the ranking with one end-to-end project that runs
                    somewhere, and the combination is strong.
                    """
                ),
            },
            {
                "author": "sofia",
                "after": 4,
                "votes": ["marco"],
                "body": md(
                    """
                    In interviews I like asking Kaggle people how their best solution would
                    behave if the test data drifted next month. Having a thoughtful answer to
                    that turns the ranking from a hobby into evidence.
                    """
                ),
            },
        ],
    },
    {
        "author": "nina",
        "days_ago": 46,
        "title": "What does an MLE interview loop look like at a large company?",
        "tags": ["interviews", "mle", "big-tech"],
        "views": 389,
        "body": md(
            """
            I have my first on-site loop for a machine learning engineer role at a large
            company. The recruiter listed "coding, ML fundamentals, ML design, behavioural".
            What happens in each round, and where do PhD candidates usually struggle?
            """
        ),
        "votes": ["lea", "daniel", "arjun"],
        "answers": [
            {
                "author": "lea",
                "after": 1,
                "accepted": True,
                "votes": ["nina", "arjun", "daniel", "hannah"],
                "body": md(
                    """
                    A typical loop, and where PhD candidates slip:

                    - **Coding (1-2 rounds).** Data structures and clean code in 45 minutes.
                      PhD candidates often write correct but untested, unstructured code. Say
                      your test cases out loud.
                    - **ML fundamentals.** Bias and variance, regularisation, metrics,
                      leakage. Usually fine for PhDs, unless they only know their own niche.
                    - **ML design.** Design a system end to end. The common slip is going deep
                      on the model and never reaching serving and monitoring.
                    - **Behavioural.** Conflicts, deadlines, influence without authority.
                      Prepare four stories from your PhD in the situation, action, result
                      shape; collaborations and a failed experiment are good material.
                    """
                ),
            },
            {
                "author": "daniel",
                "after": 2,
                "votes": ["nina"],
                "body": md(
                    """
                    Ask the recruiter for the preparation material; big companies usually
                    have a document per round and are happy to share it. And ask whether
                    the design round is ML-specific or general. It changes what to practise.
                    """
                ),
            },
        ],
    },
    {
        "author": "maya",
        "days_ago": 40,
        "title": "How do I move from 2D detection work toward 3D scene understanding?",
        "tags": ["computer-vision", "3d-vision", "career-switch"],
        "views": 281,
        "body": md(
            """
            I have six years of 2D detection and tracking for driver assistance. The interesting
            work in my field is moving to 3D: occupancy, bird's-eye-view models, scene
            reconstruction. Internally I keep losing those projects to people with 3D
            experience. How do I build it credibly while working full time?
            """
        ),
        "votes": ["arjun", "kenji", "priya"],
        "answers": [
            {
                "author": "arjun",
                "after": 1,
                "accepted": True,
                "votes": ["maya", "kenji", "priya", "lea"],
                "comments": [
                    ("maya", "Starting with the geometry refresher before BEV models. Thanks!"),
                ],
                "body": md(
                    """
                    Your 2D experience transfers more than you think; most 3D perception
                    stacks still start from image features. The gap is usually geometry and
                    the data formats. A plan that fits into evenings:

                    1. **Geometry refresher (3-4 weeks).** Camera models, epipolar geometry,
                       triangulation, rotations. Implement each on a few real images.
                    2. **Point clouds (4 weeks).** Load your company's lidar logs, project
                       points into images, fuse them with your 2D detections.
                    3. **One modern 3D model (6-8 weeks).** Train a bird's-eye-view or
                       occupancy model on a public driving dataset; reproduce one table.
                    4. **Bring it back to work.** Offer to own evaluation or data tooling on
                       the next 3D project. It is the usual way in.

                    Step 4 matters most: internal moves happen through being useful to the
                    3D team before you are officially on it.
                    """
                ),
            },
            {
                "author": "kenji",
                "after": 3,
                "votes": ["maya"],
                "body": md(
                    """
                    Calibration is the underrated skill here. Every 3D team has a person who
                    understands why the extrinsics drifted, and that person is never idle.
                    Learning it is a good way to become indispensable to the 3D people.
                    """
                ),
            },
        ],
    },
    {
        "author": "marco",
        "days_ago": 34,
        "title": "Python or C++ first for someone starting out in embedded vision?",
        "tags": ["c++", "python", "skills"],
        "views": 176,
        "body": md(
            """
            I want to work on cameras and vision on small devices eventually. Should I learn
            C++ properly first, or keep going with Python and pick up C++ later?
            """
        ),
        "votes": ["kenji"],
        "answers": [
            {
                "author": "kenji",
                "after": 1,
                "votes": ["marco", "sofia", "tomasz"],
                "body": md(
                    """
                    Python first, for the ideas: image processing, training, evaluation. You
                    learn faster there and every embedded team still uses Python for tooling.

                    Then C++ with a concrete goal: take a model you trained and run it on a
                    Raspberry Pi or a Jetson with a C++ application. That forces you to learn
                    the parts that matter (memory, threads, the build) instead of the whole
                    language.
                    """
                ),
            },
            {
                "author": "sofia",
                "after": 2,
                "votes": ["marco"],
                "body": md(
                    """
                    Agree with Kenji. I would add: learn enough Linux to be comfortable on
                    a device with no screen, over SSH. Half of embedded work is debugging a
                    box you cannot see.
                    """
                ),
            },
        ],
    },
    {
        "author": "nina",
        "days_ago": 27,
        "title": "How can I show deployment experience when my job never let me ship?",
        "tags": ["deployment", "portfolio", "mle"],
        "views": 158,
        "body": md(
            """
            Every ML engineer advert asks for production experience. My PhD work never left
            a GPU cluster. How do I show credible deployment skills without a job that
            involved them?
            """
        ),
        "votes": ["sofia", "marco"],
        "answers": [
            {
                "author": "sofia",
                "after": 1,
                "accepted": True,
                "votes": ["nina", "marco", "tomasz"],
                "body": md(
                    """
                    Ship something small for real users, even if the users are a handful of
                    people. Examples I have seen work in interviews:

                    - A web service that segments ultrasound images for your lab, with a
                      queue, logs and a dashboard of how often it is used.
                    - A model on a cheap single-board computer that runs for a month, with a
                      write-up of what broke.

                    The write-up matters as much as the code: latency numbers, how you
                    monitored it, one incident and how you fixed it. That is what "production
                    experience" means to the person reading your CV.
                    """
                ),
            },
            {
                "author": "tomasz",
                "after": 3,
                "votes": ["nina"],
                "body": md(
                    """
                    Your lab probably has a problem that a small deployed tool would solve:
                    a labelling helper, a quality check for incoming scans. Building it for
                    colleagues gives you real users and real feedback, which is the hard part
                    to fake.
                    """
                ),
            },
        ],
    },
    {
        "author": "tomasz",
        "days_ago": 21,
        "title": "Is remote work still realistic for junior computer-vision engineers?",
        "tags": ["remote-work", "computer-vision"],
        "views": 144,
        "body": md(
            """
            Many of the CV jobs I see are now hybrid or on-site, especially in robotics and
            hardware. For someone junior, is fully remote still a realistic target, or does it
            hurt more than it helps?
            """
        ),
        "votes": ["marco"],
        "answers": [
            {
                "author": "lea",
                "after": 2,
                "votes": ["tomasz", "marco"],
                "body": md(
                    """
                    For juniors in hardware-near CV I would not aim for fully remote. You
                    learn a lot from being next to the test rig and the people who built it.
                    Software-only CV (media, documents, retail analytics) is more often remote.

                    If you go remote, ask how juniors get feedback: scheduled pairing and
                    fast code review are what make it work.
                    """
                ),
            },
            {
                "author": "hannah",
                "after": 4,
                "votes": ["tomasz"],
                "body": md(
                    """
                    A middle path many candidates miss: remote-first companies with regular
                    team weeks in person. You get the flexibility and still build the
                    relationships that lead to your next promotion.
                    """
                ),
            },
        ],
    },
    {
        "author": "sofia",
        "days_ago": 16,
        "title": "Moving from big tech back to a startup after five years: what surprised you?",
        "tags": ["startups-vs-big-tech", "big-tech"],
        "views": 201,
        "body": md(
            """
            After five years at a large company I am considering a 20-person startup as their
            first MLOps hire. Those who went in that direction: what surprised you, good and
            bad?
            """
        ),
        "votes": ["daniel", "kenji", "priya"],
        "answers": [
            {
                "author": "daniel",
                "after": 1,
                "accepted": True,
                "votes": ["sofia", "kenji", "priya"],
                "body": md(
                    """
                    What surprised me most was how much of my productivity came from tools
                    I had stopped noticing: the build system, the experiment tracker, on-call
                    tooling. At a startup you build or buy each of them, and choosing well is
                    the job.

                    The good surprise: decisions take an afternoon, not a quarter. The bad
                    one: nobody tells you what is important; you have to find out and defend it.

                    As the first MLOps hire, agree on two or three outcomes for your first six
                    months with the founders, in writing. Otherwise you will become the person
                    who fixes everyone's laptop.
                    """
                ),
            },
            {
                "author": "priya",
                "after": 3,
                "votes": ["sofia"],
                "body": md(
                    """
                    Budget your energy for the first months. Being the only person who knows
                    your area is exciting, and also tiring when everything is urgent. Find one
                    peer outside the company to talk shop with; it helps more than it sounds.
                    """
                ),
            },
        ],
    },
    {
        "author": "arjun",
        "days_ago": 11,
        "title": "How many coding puzzles do computer-vision interviews really include?",
        "tags": ["interviews", "skills"],
        "views": 121,
        "body": md(
            """
            I keep reading that I need to grind hundreds of algorithm puzzles. Is that true
            for CV and perception roles, or do they test different things?
            """
        ),
        "votes": ["nina"],
        "answers": [
            {
                "author": "lea",
                "after": 1,
                "votes": ["arjun", "nina"],
                "body": md(
                    """
                    In my team: one coding round, and it is usually image-flavoured, like
                    computing the intersection over union of boxes, a flood fill, or
                    non-maximum suppression. Large companies often add a general algorithms
                    round on top.

                    So practise a few dozen classic problems to be fluent, then spend the rest
                    of the time on vision-specific coding. Hundreds is more than you need.
                    """
                ),
            },
            {
                "author": "kenji",
                "after": 2,
                "votes": ["arjun"],
                "body": md(
                    """
                    Embedded and robotics teams sometimes ask C++ specifics instead of
                    puzzles: what happens when a vector grows, how you would share a buffer
                    between threads. Check the job description for the language and prepare
                    accordingly.
                    """
                ),
            },
        ],
    },
    {
        "author": "marco",
        "days_ago": 6,
        "title": "Which cloud and MLOps tools are worth learning first?",
        "tags": ["deployment", "skills", "mle"],
        "views": 88,
        "body": md(
            """
            The MLOps landscape looks enormous: orchestrators, feature stores, experiment
            trackers, serving frameworks. For someone aiming at a first ML engineer role,
            which few tools give the most value?
            """
        ),
        "votes": ["sofia"],
        "answers": [
            {
                "author": "sofia",
                "after": 1,
                "votes": ["marco", "nina"],
                "body": md(
                    """
                    Learn the concepts through the smallest tools, in this order:

                    1. Docker, properly: images, layers, keeping them small.
                    2. One experiment tracker: runs, parameters, artefacts.
                    3. One way to serve a model behind HTTP, with a health check.
                    4. Basic monitoring: request counts, latency, input statistics.

                    Which cloud hardly matters; the concepts carry over. Feature stores and
                    orchestrators can wait until a job needs them.
                    """
                ),
            },
        ],
    },
    {
        "author": "nina",
        "days_ago": 3,
        "title": "How do you read papers efficiently when switching research fields?",
        "tags": ["career-switch", "research", "self-study"],
        "views": 41,
        "body": md(
            """
            I am moving from medical imaging toward general 3D vision for my postdoc
            applications. The literature feels endless. How do you get up to speed in a new
            field without reading everything?
            """
        ),
        "votes": ["arjun"],
        "answers": [],
    },
    {
        "author": "arjun",
        "days_ago": 1,
        "title": "How do I negotiate my title when moving from research to engineering?",
        "tags": ["phd-vs-product", "salary", "interviews"],
        "views": 23,
        "body": md(
            """
            The offer I am discussing says "Machine Learning Engineer" at the entry level,
            although I have four years of research experience from my PhD. Is it reasonable
            to ask for a higher level, and how do I argue for it?
            """
        ),
        "votes": [],
        "answers": [],
    },
]


EXPERIENCES = [
    {
        "author": "maya",
        "days_ago": 37,
        "title": "From 2D detection to 3D scene understanding: my first year of the shift",
        "tags": ["computer-vision", "3d-vision", "career-switch"],
        "views": 356,
        "votes": ["arjun", "kenji", "priya", "tomasz", "lea"],
        "comments": [
            ("arjun", "The evaluation-tooling route is underrated. Great write-up, Maya."),
        ],
        "body": md(
            """
            For six years my job was boxes: draw them around cars and pedestrians, track them
            across frames, make it fast enough for a car. It was a good job. But the
            interesting questions in perception moved to 3D, and I could feel the ground
            shifting under my skill set.

            ## What I did not do

            I did not quit, and I did not start a master's degree. I asked myself what the
            3D team needed that nobody wanted to do. The answer was evaluation: their metrics
            were scattered across notebooks and nobody trusted the numbers.

            ## What I did

            - Spent two months of evenings on geometry I had forgotten since university.
            - Built an evaluation tool for the 3D team in my own time, then in my 20 %.
            - Took over the weekly metrics review. Suddenly I was in every 3D discussion.

            After eight months the team lead asked me to join officially. The geometry
            helped, but what got me in was being useful first.

            ## What I would tell my past self

            Your 2D experience is not obsolete. Feature extractors, data pipelines and the
            habit of looking at failures carry over directly. The gap is narrower than the
            job titles suggest.
            """
        ),
    },
    {
        "author": "tomasz",
        "days_ago": 70,
        "title": "Mechanical engineer to computer-vision engineer in 20 months of self-study",
        "tags": ["career-switch", "self-study", "computer-vision", "portfolio"],
        "views": 811,
        "votes": ["marco", "hannah", "lea", "nina", "kenji", DEMO_USERNAME, "sofia"],
        "comments": [
            ("marco", "This is the post I needed. Saving the schedule table."),
            ("hannah", "The bridge-role step is the part most switchers skip. Well told."),
        ],
        "body": md(
            """
            Eight years of gearbox design, then a computer-vision job. Here is how it went,
            including the parts that did not work.

            ## The schedule

            | Months | Focus | What I built |
            |---|---|---|
            | 1-4 | Python, NumPy, one introductory course | Nothing worth showing |
            | 5-9 | Deep learning course, PyTorch | A defect classifier on public data |
            | 10-14 | My own data, error analysis | Gear tooth wear from photos |
            | 15-20 | Deployment, interviews | The wear tool running at work |

            Three evenings a week and Saturday mornings. Anything more and family life
            pushed back, and I would stop for weeks.

            ## What worked

            **Using my old field.** The gear wear project combined what I knew about
            mechanics with what I was learning. Every interviewer asked about it.

            **A bridge role.** I offered to automate a visual check our quality team did by
            hand. My manager agreed to two days a week. That gave me real production
            experience before I ever applied anywhere.

            ## What did not

            Months 1-4 were too broad. I did three courses in parallel and finished none
            properly. One course, finished, with one small project, would have been better.

            ## Where I am now

            I build inspection systems for a manufacturer. My salary dipped for the first
            year and then passed my old one. I still use my mechanical background every week.
            """
        ),
    },
    {
        "author": "priya",
        "days_ago": 110,
        "title": "Why I left my robotics PhD for a product team, and what I would do differently",
        "tags": ["phd-vs-product", "career-switch", "research"],
        "views": 642,
        "votes": ["arjun", "nina", "daniel", "hannah", "lea", "maya"],
        "comments": [
            ("nina", "The part about deciding rather than drifting really resonates."),
        ],
        "body": md(
            """
            In year four of a robotics PhD I had two papers, a half-working thesis system and
            a growing feeling that I liked building things more than arguing about them in
            reviews. A product team working on warehouse robots offered me a job. I took it.

            ## The decision

            I wrote down what I wanted five years later: leading a team that ships. Then I
            asked which path got me there faster. The PhD added a title; the job added
            shipped systems and people to learn from. That made it clear.

            ## What went well

            - My research habits transferred: reading papers, careful experiments, writing.
            - Nobody in product cared about the missing degree after the first interview.
            - I was promoted twice in four years and now lead a small ML team.

            ## What I would do differently

            I left abruptly and my advisor was hurt. We repaired it, but I would now give
            three months' notice and hand over properly. I would also publish the thesis
            system as open source before leaving; it would have been a portfolio for free.

            ## For those still deciding

            Neither path is the safe one. Decide deliberately, then commit.
            """
        ),
    },
    {
        "author": "daniel",
        "days_ago": 90,
        "title": "Two startups, then big tech: what changed and what did not",
        "tags": ["startups-vs-big-tech", "big-tech", "career-switch"],
        "views": 530,
        "votes": ["kenji", "sofia", DEMO_USERNAME, "lea", "priya"],
        "comments": [
            ("sofia", "Useful perspective, especially as I am thinking of going the other way."),
        ],
        "body": md(
            """
            My first startup was acquired; my second one ran out of money. Then I joined a
            large company, expecting to feel slow and bored. Five years later, some of that
            was true and some was not.

            ## What changed

            - **Scope got narrower and deeper.** I went from "all of ML" to one ranking
              system used by many millions of people. Deep turned out to be satisfying.
            - **Feedback got better.** Code review from experts improved my engineering more
              in one year than the startups had in four.
            - **Decisions got slower.** A change that took a day at a startup took weeks of
              design review. Some of that was bureaucracy; much of it caught real problems.

            ## What did not change

            The people who did well at either kind of company were the ones who found the
            most important problem nearby and solved it without being asked.

            ## Would I do it in the same order?

            Yes. The startups taught me to care about the whole product; the large company
            taught me to build things that last. I would not trade either.
            """
        ),
    },
    {
        "author": "sofia",
        "days_ago": 24,
        "title": "What I learned shipping my first model to forty factories",
        "tags": ["deployment", "mle", "computer-vision"],
        "views": 298,
        "votes": ["tomasz", "kenji", "nina", "marco"],
        "comments": [
            ("tomasz", "The lighting story is painfully familiar. Thanks for writing it up."),
        ],
        "body": md(
            """
            My first real deployment was a packaging defect detector, rolled out to forty
            factories over six months. The model was the easy part.

            ## Lessons

            1. **Every site is a new dataset.** Lighting, camera angle and even the colour of
               the conveyor belt differed. We added a one-week calibration phase per site.
            2. **Monitor the inputs, not just the outputs.** A drop in mean image brightness
               warned us about a failing lamp two days before accuracy fell.
            3. **Make rollback boring.** Each site could switch to the previous model with
               one command. We used it three times.

            ## The one check I now run everywhere

            ```bash
            # Compare today's input statistics with the reference week; alert on drift.
            python -m monitor.drift --site "$SITE" --reference week-01 --threshold 0.15
            ```

            Deployment is a product, not a step. Plan for it from the first week.
            """
        ),
    },
]
